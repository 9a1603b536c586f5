### BEGIN SOLUTION
"""Solution to exercise 05 · the daphne command line."""
### EXERCISE
# """Exercise 05 · the daphne command line.
#
# Write the command that starts daphne, as the list of words a terminal (or
# `subprocess`, or a process supervisor) runs. For example
#
#     daphne_command("mysite.asgi:application", 8001)
#
# could return
#
#     ["daphne", "-b", "127.0.0.1", "-p", "8001", "mysite.asgi:application"]
#
# The check reads your list with daphne's own argument parser, then really
# starts daphne with it and connects a WebSocket client. `daphne --help`
# (in a terminal, with the course's .venv active) lists the exact spellings.
# Run the check cell in lesson 05, or `python -m coursekit check 05_daphne_command`.
# """
### END SOLUTION


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
    ### BEGIN SOLUTION
    argv = ["daphne", "-b", host, "-p", str(port), "-v", str(verbosity)]
    if access_log is not None:
        argv += ["--access-log", str(access_log)]
    if websocket_timeout is not None:
        # Two of daphne's options are spelled with underscores; --websocket-timeout does not exist.
        argv += ["--websocket_timeout", str(websocket_timeout)]
    argv.append(application)
    return argv
    ### EXERCISE
    # # TODO: build the list: "daphne" first, then the options, the application last.
    # #       Every item must be a str (a port too).
    # raise NotImplementedError("daphne_command is not written yet")
    ### END SOLUTION
