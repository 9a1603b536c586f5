r"""Checks for exercises/03_url_patterns.py: websocket_urlpatterns for two consumers.

Each check serves the learner's patterns with Channels' own URLRouter and
opens a WebSocket to it in-process with WebsocketCommunicator: real routing,
no server, no channel layer.
"""

from coursekit.checking import check, configure_django

TITLE = "websocket_urlpatterns for two consumers"

CONSUMERS = {"chat": "ChatRoomConsumer", "notify": "NotifyConsumer"}


def prepare():
    configure_django(channel_layer="none")


async def visit(exercise, path):
    """What the consumer at ``path`` says, {"consumer": ..., "kwargs": ...}, or None if no route matches."""
    from channels.routing import URLRouter
    from channels.testing import WebsocketCommunicator

    patterns = getattr(exercise, "websocket_urlpatterns", None)
    assert isinstance(patterns, list), "websocket_urlpatterns should be a list of re_path(...) routes"
    router = URLRouter(patterns)
    failures = []

    async def application(scope, receive, send):
        # The communicator would wait out its timeout before reporting an error; closing
        # at once, with the error kept aside, answers right away.
        try:
            await router(scope, receive, send)
        except Exception as error:
            failures.append(error)
            await send({"type": "websocket.close", "code": 1011})

    communicator = WebsocketCommunicator(application, path)
    connected, _ = await communicator.connect()
    if failures:
        error = failures[0]
        if isinstance(error, ValueError) and "No route found" in str(error):
            return None
        if isinstance(error, TypeError) and "can't be used in 'await' expression" in str(error):
            raise AssertionError(
                f"the route for {path} gives the consumer class itself; give it Consumer.as_asgi()"
            )
        raise error
    assert connected, f"{path} was not accepted"
    said = await communicator.receive_json_from()
    await communicator.disconnect()
    return said


async def expect(exercise, path, consumer, kwargs):
    said = await visit(exercise, path)
    assert said is not None, f"{path} reaches no consumer: no route matches it"
    if said["consumer"] != consumer:
        raise AssertionError(f"{path} reached {CONSUMERS[said['consumer']]}, not {CONSUMERS[consumer]}")
    got = said["kwargs"]
    if {key: str(value) for key, value in got.items()} != kwargs:
        raise AssertionError(f"{path} captured {got}, not {kwargs}")


async def refused(exercise, path):
    said = await visit(exercise, path)
    if said is not None:
        raise AssertionError(f"{path} reached {CONSUMERS[said['consumer']]} with {said['kwargs']}")


LOBBY = ("/ws/chat/lobby/", "chat", {"room_name": "lobby"})
USER_42 = ("/ws/notify/42/", "notify", {"user_id": "42"})


@check("ws/chat/lobby/ and ws/chat/room_42/ reach ChatRoomConsumer with their room_name",
       hint=r"re_path(r'ws/chat/(?P<room_name>\w+)/$', ChatRoomConsumer.as_asgi()): no leading slash",
       visits=[LOBBY, ("/ws/chat/room_42/", "chat", {"room_name": "room_42"})])
@check("ws/notify/42/ reaches NotifyConsumer with user_id 42",
       hint=r"a route like the chat one, with a named group of digits: (?P<user_id>\d+)",
       visits=[USER_42])
@check("a user_id is digits only: ws/notify/abc/ and ws/notify/4x2/ reach no consumer",
       hint=r"\d+ matches digits only, where \w+ or [^/]+ let letters in too",
       visits=[("/ws/notify/7/", "notify", {"user_id": "7"}), ("/ws/notify/abc/", None, None),
               ("/ws/notify/4x2/", None, None)])
@check("a route ends at its last slash: ws/chat/lobby/extra/ and ws/notify/42/more/ reach no consumer",
       hint=r"end each pattern with $, as the seed's r'ws/chat/(?P<room_name>\w+)/$' does",
       visits=[LOBBY, USER_42, ("/ws/chat/lobby/extra/", None, None), ("/ws/notify/42/more/", None, None)])
async def routes(exercise, visits):
    """Each visit is (path, the consumer it reaches with the kwargs it captures), or (path, None, None): no route."""
    for path, consumer, kwargs in visits:
        if consumer is None:
            await refused(exercise, path)
        else:
            await expect(exercise, path, consumer, kwargs)
