"""One module per exercise, named ``ex<EXERCISE>``, e.g. ``ex04_echo`` for ``exercises/04_echo.py``.

A module sets ``TITLE`` (what the learner builds, in a few words), may define
``prepare()`` (run before the learner's file is imported, e.g. to configure
Django), and declares its checks with :func:`coursekit.checking.check`; checks
that differ only in their data are one function under stacked declarations.
What several modules share (Channels' test clients driven so a check fails fast
and says why) is in ``_support.py``.
"""
