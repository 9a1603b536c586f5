### BEGIN SOLUTION
"""Solution to exercise 16 · from a symptom to its cause."""
### EXERCISE
# """Exercise 16 · from a symptom to its cause.
#
# When the chat misbehaves you hold one line: what the client saw ("handshake
# refused: HTTP 403"), the last line daphne printed before it exited, or a line
# of a server's log. Write diagnose(line): the key in CAUSES of the cause that
# line points to, or "unknown" for a line that points to no trouble (a normal
# log line) or to none of these causes. Lesson 16's table has every symptom.
#
# A line may carry a timestamp, a port, an address or a room name in front of,
# inside or after the words that matter: look for the words, not the whole line.
#
# Run the check cell in lesson 16 (or `python -m coursekit check 16_diagnose`).
# """
### END SOLUTION

CAUSES = {
    "not-installed": "'daphne' is not in INSTALLED_APPS: runserver is Django's own WSGI server",
    "plain-django": "daphne serves Django's own ASGI app, not the ProtocolTypeRouter",
    "apps-not-loaded": "routing or consumers imported before get_asgi_application()",
    "sync-orm": "the synchronous ORM called from async code",
    "origin": "the handshake's Origin is not in ALLOWED_HOSTS (AllowedHostsOriginValidator)",
    "no-handler": "an event whose type no method of the consumer handles",
    "redis-down": "Redis is not running, or REDIS_URL names the wrong address",
    "backlog": "a channel holds `capacity` messages: its receiver is behind, or gone",
    "never-stops": "a handler that never returns, so daphne kills the consumer",
}
### BEGIN SOLUTION

# Each cause, the words that give it away (checked in this order: more specific first).
CLUES = [
    ("not-installed", ["HTTP 404", "Not Found: /ws/", "Starting development server"]),
    ("plain-django", ["can only handle ASGI/HTTP connections"]),
    ("apps-not-loaded", ["AppRegistryNotReady", "Apps aren't loaded yet"]),
    ("sync-orm", ["SynchronousOnlyOperation", "You cannot call this from an async context"]),
    ("origin", ["HTTP 403", "WSREJECT"]),
    ("no-handler", ["No handler for message type"]),
    ("redis-down", ["Connect call failed", "Connection refused", "redis.exceptions.ConnectionError",
                    "lost its connection to Redis"]),
    ("backlog", ["ChannelFull", "over capacity"]),
    ("never-stops", ["took too long to shut down"]),
]
### END SOLUTION


def diagnose(line):
    """The key in CAUSES of what ``line`` (a client's report or a log line) points to, or "unknown"."""
    ### BEGIN SOLUTION
    for cause, clues in CLUES:
        if any(clue.lower() in line.lower() for clue in clues):
            return cause
    return "unknown"
    ### EXERCISE
    # # TODO: find the words of each cause in `line` (lesson 16's table lists
    # #       them) and return the cause's key; "unknown" when none is there.
    # return "unknown"
    ### END SOLUTION
