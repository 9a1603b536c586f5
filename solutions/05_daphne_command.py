"""Solution to exercise 05 · the daphne command line."""


def daphne_command(
    application: str,
    port: int,
    *,
    host: str = "127.0.0.1",
    access_log: str | None = None,
    verbosity: int = 1,
    websocket_timeout: int | None = None,
) -> list[str]:
    """The argv that starts daphne serving ``application`` on ``host``:``port``."""
    argv = ["daphne", "-b", host, "-p", str(port), "-v", str(verbosity)]
    if access_log is not None:
        argv += ["--access-log", str(access_log)]
    if websocket_timeout is not None:
        # Two of daphne's options are spelled with underscores; --websocket-timeout does not exist.
        argv += ["--websocket_timeout", str(websocket_timeout)]
    argv.append(application)
    return argv
