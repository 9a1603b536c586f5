"""Checks for exercises/16_diagnose.py: a symptom (a client's report, a log line) mapped to its cause.

Every line below is one the course's servers really print (lesson 16 raises each),
with the timestamps, ports and addresses a real log has.
"""

from coursekit.checking import check

TITLE = "from a symptom to its cause"


def assert_diagnosed(exercise, lines, cause):
    for line in lines:
        found = exercise.diagnose(line)
        assert found == cause, f"diagnose({line!r}) returned {found!r}, not {cause!r}"


@check(
    "the WSGI runserver: a 404 at the handshake",
    hint="'HTTP 404' or runserver's 'Not Found: /ws/...'",
    cause="not-installed",
    lines=[
        "handshake refused: HTTP 404",
        "Not Found: /ws/chat/lobby/",
        "Starting development server at http://127.0.0.1:8000/",
    ],
)
@check(
    "daphne serving plain Django",
    hint="Django's words: 'can only handle ASGI/HTTP connections'",
    cause="plain-django",
    lines=[
        "2026-12-01 21:00:00,123 ERROR    Exception inside application: Django can only handle "
        "ASGI/HTTP connections, not websocket.",
    ],
)
@check(
    "apps imported too early",
    hint="the exception's name, AppRegistryNotReady",
    cause="apps-not-loaded",
    lines=[
        "daphne exited with code 1: django.core.exceptions.AppRegistryNotReady: Apps aren't loaded yet.",
    ],
)
@check(
    "the sync ORM in async code",
    hint="the exception's name, SynchronousOnlyOperation",
    cause="sync-orm",
    lines=[
        "django.core.exceptions.SynchronousOnlyOperation: You cannot call this from an async context "
        "- use a thread or sync_to_async.",
    ],
)
@check(
    "a refused Origin: 403, and daphne's WSREJECT",
    hint="'HTTP 403' from the client, 'WSREJECT' in daphne's log",
    cause="origin",
    lines=[
        "handshake refused: HTTP 403",
        '127.0.0.1:53412 - - [01/Dec/2026:21:00:00] "WSREJECT /ws/chat/lobby/" - -',
    ],
)
@check(
    "an event type without a handler",
    hint="Channels says 'No handler for message type ...'",
    cause="no-handler",
    lines=["ValueError: No handler for message type chat.shout"],
)
@check(
    "Redis not running",
    hint="the OS says 'Connect call failed' or 'Connection refused'",
    cause="redis-down",
    lines=[
        "ConnectionRefusedError: [Errno 111] Connect call failed ('127.0.0.1', 6379)",
        "redis.exceptions.ConnectionError: Error 111 connecting to 127.0.0.1:6379. Connection refused.",
        '{"error": "the chat lost its connection to Redis; reconnect in a moment"}',  # the final chat's frame
    ],
)
@check(
    "a full channel: ChannelFull, and group_send's 'over capacity'",
    hint="'ChannelFull' from send(), 'over capacity' in the log from group_send()",
    cause="backlog",
    lines=[
        "channels.exceptions.ChannelFull",
        "INFO     1 of 50 channels over capacity in group chat_lobby",
    ],
)
@check(
    "a consumer that never stops",
    hint="daphne says it 'took too long to shut down and was killed'",
    cause="never-stops",
    lines=[
        "WARNING  Application instance <Task pending name='Task-12'> for connection <WebSocketProtocol "
        "client=['127.0.0.1', 40312] path=b'/ws/chat/lobby/'> took too long to shut down and was killed.",
    ],
)
def diagnosed(exercise, cause, lines):
    assert_diagnosed(exercise, lines, cause)


@check("a normal log line is 'unknown'", hint="return 'unknown' when none of the causes' words is in the line")
def normal_lines(exercise):
    assert_diagnosed(
        exercise,
        [
            "INFO     Listening on TCP address 127.0.0.1:8000",
            '127.0.0.1:53412 - - [01/Dec/2026:21:00:00] "WSCONNECT /ws/chat/lobby/" - -',
            "handshake refused: HTTP 500",  # two causes give a 500: the log says which
        ],
        "unknown",
    )
