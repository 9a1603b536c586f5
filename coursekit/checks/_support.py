"""What the checks of several exercises share: Channels' test clients, driven so a check fails fast and says why.

Channels' communicators wait out their whole timeout before they report that
the consumer under test crashed, and their ``disconnect()`` raises that crash
again at the end of a check that has already failed for it. The helpers below
answer as soon as the consumer answers *or ends*, and tidy up without hiding a
check's own reason. Everything Django or Channels is imported inside the
functions: a checks module imports this before its ``prepare()`` configures Django.
"""

from __future__ import annotations

import asyncio
import json

CHAT_ROUTE = r'ws/chat/(?P<room_name>[^/]+)/$'  # the lesson's route (chat/routing.py, from lesson 06)
QUIET = 0.2  # seconds of silence that mean "nothing (more) is coming"


def chat_application(consumer):
    """``consumer`` behind the lesson's route ``ws/chat/<room_name>/``, as the project's router serves it."""
    from channels.routing import URLRouter
    from django.urls import re_path

    return URLRouter([re_path(CHAT_ROUTE, consumer.as_asgi())])


async def empty_layer():
    """The channel layer, emptied: no group or message of an earlier check is left in it."""
    from channels.layers import get_channel_layer

    layer = get_channel_layer()
    await layer.flush()
    return layer


def members(layer, room: str) -> int:
    """How many channels the group ``chat_<room>`` of the in-memory layer holds."""
    return len(layer.groups.get(f"chat_{room}", {}))


def raise_if_crashed(client) -> None:
    """If the application under test has ended with an exception, raise it here."""
    if client.future.done() and not client.future.cancelled():
        client.future.result()


async def next_output(client, timeout: float):
    """The application's next ASGI message; None when it ends quietly or says nothing within ``timeout``.

    Raises the application's exception as soon as it crashes.
    """
    getter = asyncio.ensure_future(client.output_queue.get())
    try:
        await asyncio.wait({getter, client.future}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
    finally:
        if not getter.done():
            getter.cancel()
    if getter.done() and not getter.cancelled():
        return getter.result()
    raise_if_crashed(client)
    return None


async def expect_output(client, waiting_for: str, timeout: float = 1.0) -> dict:
    """Like :func:`next_output`, with a failure that says what the check waited for."""
    output = await next_output(client, timeout)
    if output is None:
        if client.future.done():
            raise AssertionError(f"the consumer stopped while the check waited for {waiting_for}")
        raise AssertionError(f"no {waiting_for} within {timeout:.0f} s")
    return output


async def say(client, text: str) -> dict:
    """Send ``{"message": text}`` as a text frame and return the decoded reply (a JSON object)."""
    sent = json.dumps({"message": text})
    await client.send_input({"type": "websocket.receive", "text": sent})
    answer = await expect_output(client, f"reply to {sent}")
    assert answer["type"] == "websocket.send", f"the consumer answered {sent} with {answer['type']}, not a message"
    reply = answer.get("text")
    assert reply is not None, "the reply is a binary frame; send text_data=..."
    try:
        decoded = json.loads(reply)
    except ValueError:
        raise AssertionError(f"the reply is not JSON text: {reply!r}") from None
    assert isinstance(decoded, dict), f"the reply is not a JSON object: {reply}"
    return decoded


async def heard(client, quiet: float = QUIET) -> list:
    """Every JSON message that reaches ``client`` until it goes quiet; raises the consumer's error if it crashed."""
    messages = []
    while not await client.receive_nothing(timeout=quiet):
        messages.append(await client.receive_json_from())
    raise_if_crashed(client)
    return messages


async def close_quietly(client) -> None:
    """End a client's application after a check, hiding errors that would mask the check's own reason.

    A WebSocket client disconnects; any other communicator (a worker's) has its application cancelled.
    """
    if client.future.done():
        return  # it has ended already, perhaps with the error the check reports
    try:
        if hasattr(client, "disconnect"):
            await client.disconnect()
        else:
            client.future.cancel()
            await client.future
    except (Exception, asyncio.CancelledError):
        pass
