"""Exercise 05 · the daphne command line.

Write the command that starts daphne, as the list of words a terminal (or
`subprocess`, or a process supervisor) runs. For example

    daphne_command("mysite.asgi:application", 8001)

could return

    ["daphne", "-b", "127.0.0.1", "-p", "8001", "mysite.asgi:application"]

The check reads your list with daphne's own argument parser, then really
starts daphne with it and connects a WebSocket client. `daphne --help`
(in a terminal, with the course's .venv active) lists the exact spellings.
Run the check cell in lesson 05, or `python -m coursekit check 05_daphne_command`.
"""


def daphne_command(
    application: str,
    port: int,
    *,
    host: str = "127.0.0.1",
    access_log: str | None = None,
    verbosity: int = 1,
    websocket_timeout: int | None = None,
) -> list[str]:
    """The argv that starts daphne serving ``application`` on ``host``:``port``.

    - ``application`` is "module:attribute", e.g. "mysite.asgi:application".
    - ``access_log``: a file for the access log; None leaves daphne's default.
    - ``verbosity``: daphne's -v level (0 warnings only, 1 the default, 2 debug).
    - ``websocket_timeout``: seconds before daphne closes a WebSocket; None
      leaves daphne's default (a day).
    """
    # TODO: build the list: "daphne" first, then the options, the application last.
    #       Every item must be a str (a port too).
    raise NotImplementedError("daphne_command is not written yet")
