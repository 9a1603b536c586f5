"""One module per exercise, named ``ex<EXERCISE>``, e.g. ``ex04_echo`` for ``exercises/04_echo.py``.

A module sets ``TITLE`` (what the learner builds, in a few words), may define
``prepare()`` (run before the learner's file is imported, e.g. to configure
Django), and declares its checks with :func:`coursekit.checking.check`.
"""
