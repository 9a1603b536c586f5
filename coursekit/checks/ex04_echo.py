"""Checks for exercises/04_echo.py: an echo consumer that shouts and counts.

The learner's EchoConsumer runs in-process under Channels' WebsocketCommunicator,
which sends it the ASGI events daphne would, without a server or a channel layer.
"""

import asyncio
import json
from contextlib import asynccontextmanager

from coursekit.checking import check, configure_django

TITLE = "an echo consumer that shouts and counts"

REPLY_TIMEOUT = 1.0


def prepare():
    configure_django(channel_layer="none")


async def next_output(client, waiting_for):
    """The consumer's next ASGI message, or its exception as soon as it crashes.

    (The communicator's own receive methods wait out their whole timeout first.)
    """
    getter = asyncio.ensure_future(client.output_queue.get())
    try:
        await asyncio.wait({getter, client.future}, timeout=REPLY_TIMEOUT,
                           return_when=asyncio.FIRST_COMPLETED)
    finally:
        if not getter.done():
            getter.cancel()
    if getter.done() and not getter.cancelled():
        return getter.result()
    if client.future.done():
        client.future.result()  # raises the consumer's exception, if it had one
        raise AssertionError(f"the consumer stopped while the check waited for {waiting_for}")
    raise AssertionError(f"no {waiting_for} within {REPLY_TIMEOUT:.0f} s")


@asynccontextmanager
async def connected(exercise, path="/ws/echo/"):
    """A client connected to a fresh EchoConsumer; disconnects at the end."""
    from channels.testing import WebsocketCommunicator

    client = WebsocketCommunicator(exercise.EchoConsumer.as_asgi(), path)
    await client.send_input({"type": "websocket.connect"})
    try:
        answer = await next_output(client, "accept or close from connect()")
        assert answer["type"] != "websocket.close", "the consumer closed the connection instead of accepting it"
        assert answer["type"] == "websocket.accept", f"connect() sent {answer['type']} before accepting"
        yield client
    except BaseException:
        await close_quietly(client)
        raise
    await client.disconnect()


async def close_quietly(client):
    """Disconnect after a failed check, hiding errors that would mask its reason."""
    if client.future.done():
        return
    try:
        await client.disconnect()
    except (Exception, asyncio.CancelledError):
        pass


async def say(client, text):
    """Send {"message": text} and return the decoded reply."""
    sent = json.dumps({"message": text})
    await client.send_input({"type": "websocket.receive", "text": sent})
    answer = await next_output(client, f"reply to {sent}")
    assert answer["type"] == "websocket.send", f"the consumer answered {sent} with {answer['type']}, not a message"
    reply = answer.get("text")
    assert reply is not None, "the reply is a binary frame; send text_data=..."
    try:
        decoded = json.loads(reply)
    except ValueError:
        raise AssertionError(f"the reply is not JSON text: {reply!r}") from None
    assert isinstance(decoded, dict), f"the reply is not a JSON object: {reply}"
    return decoded


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
