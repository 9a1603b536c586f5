"""Checks for exercises/04_echo.py: an echo consumer that shouts and counts.

The learner's EchoConsumer runs in-process under Channels' WebsocketCommunicator,
which sends it the ASGI events daphne would, without a server or a channel layer.
"""

from contextlib import asynccontextmanager

from coursekit.checking import check, configure_django
from coursekit.checks._support import close_quietly, expect_output, say

TITLE = "an echo consumer that shouts and counts"


def prepare():
    configure_django(channel_layer="none")


@asynccontextmanager
async def connected(exercise, path="/ws/echo/"):
    """A client connected to a fresh EchoConsumer; disconnects at the end."""
    from channels.testing import WebsocketCommunicator

    client = WebsocketCommunicator(exercise.EchoConsumer.as_asgi(), path)
    await client.send_input({"type": "websocket.connect"})
    try:
        answer = await expect_output(client, "accept or close from connect()")
        assert answer["type"] != "websocket.close", "the consumer closed the connection instead of accepting it"
        assert answer["type"] == "websocket.accept", f"connect() sent {answer['type']} before accepting"
        yield client
    except BaseException:
        await close_quietly(client)
        raise
    await client.disconnect()


@check("EchoConsumer accepts the connection", hint="await self.accept() in connect()")
async def accepts(exercise):
    async with connected(exercise):
        pass


@check('it answers {"message": "hello"} with "HELLO"',
       hint='json.loads the text, .upper() its "message", json.dumps the reply and await self.send(...)')
async def shouts(exercise):
    async with connected(exercise) as client:
        reply = await say(client, "hello")
        assert reply.get("message") == "HELLO", f'the reply\'s "message" is {reply.get("message")!r}'


@check("it counts the messages of a connection: 1, 2, 3",
       hint="set self.count = 0 in connect(), add 1 in receive(), send it as \"count\"")
async def counts(exercise):
    async with connected(exercise) as client:
        got = [(await say(client, text)).get("count") for text in ["one", "two", "three"]]
        assert got == [1, 2, 3], f'the replies\' "count" values are {got}'


@check("each connection keeps its own count",
       hint="keep the count on self: one consumer instance serves one connection")
async def counts_per_connection(exercise):
    async with connected(exercise) as first, connected(exercise) as second:
        await say(first, "a")
        await say(first, "b")
        got = (await say(second, "c")).get("count"), (await say(first, "d")).get("count")
        assert got == (1, 3), (
            f"after two messages on one connection, a second one counted {got[0]}, "
            f"and the first then counted {got[1]}; expected 1, then 3"
        )
