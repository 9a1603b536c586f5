"""Checks for exercises/02_layer_broadcast.py: group_add and group_send on a real Redis layer.

The checks run against channels_redis and a Valkey server started for the
check run. Channel names are random, so the messages below speak of
"channel 2 of 3" rather than printing names.
"""

import asyncio
import inspect

from coursekit.checking import check, configure_django

TITLE = "broadcast to a group"

LISTEN = 2.0  # seconds a check waits for a message that should arrive


def prepare():
    configure_django(channel_layer="redis")


class CountingLayer:
    """The real channel layer, counting the calls made through it."""

    COUNTED = ("send", "receive", "group_add", "group_discard", "group_send")

    def __init__(self, layer):
        self.layer = layer
        self.calls = {name: 0 for name in self.COUNTED}

    def __getattr__(self, name):
        method = getattr(self.layer, name)
        if name not in self.COUNTED:
            return method

        async def counted(*args, **kwargs):
            self.calls[name] += 1
            return await method(*args, **kwargs)

        return counted


async def run_broadcast(exercise, group, size, text):
    from channels.layers import get_channel_layer

    assert inspect.iscoroutinefunction(exercise.broadcast), (
        "broadcast must be an `async def` function: the layer's methods are awaited"
    )
    layer = CountingLayer(get_channel_layer())
    names = [await layer.layer.new_channel() for _ in range(size)]
    result = await exercise.broadcast(layer, group, list(names), text)
    return layer, names, result


async def nothing_waits(layer, name):
    try:
        await asyncio.wait_for(layer.receive(name), 0.3)
    except TimeoutError:
        return True
    return False


@check(
    'every channel receives {"type": "chat.message", "message": text}',
    hint='group_send {"type": "chat.message", "message": text}, then build {name: await layer.receive(name)}',
)
async def every_channel_receives(exercise):
    for group, size, text in [("ex02-two", 2, "hello, room"), ("ex02-three", 3, "¡hola! 🎉")]:
        _, names, result = await run_broadcast(exercise, group, size, text)
        assert isinstance(result, dict), f"broadcast returned {type(result).__name__}, not a dict"
        assert set(result) == set(names), (
            f"the dict should have the {size} channel names as keys; "
            f"{len(set(result) & set(names))} of its {len(result)} keys are among them"
        )
        expected = {"type": "chat.message", "message": text}
        for position, name in enumerate(names, 1):
            got = result[name]
            assert got == expected, f"channel {position} of {size} received {got!r}, not {expected!r}"


@check(
    "the channels are members of the group afterwards",
    hint="await layer.group_add(group, name) for every name before the group_send",
)
async def channels_stay_in_group(exercise):
    layer, names, _ = await run_broadcast(exercise, "ex02-members", 3, "first")
    await layer.layer.group_send("ex02-members", {"type": "chat.message", "message": "second"})
    for position, name in enumerate(names, 1):
        try:
            got = await asyncio.wait_for(layer.layer.receive(name), LISTEN)
        except TimeoutError:
            raise AssertionError(
                f"a later group_send did not reach channel {position} of 3: it is not in the group"
            ) from None
        assert got.get("message") == "second", (
            f"channel {position} of 3 had an extra message waiting: {got!r}"
        )


@check(
    "one group_send reaches them all (no send per channel, nothing left over)",
    hint="call layer.group_send once; Redis fans the message out to every member",
)
async def one_group_send(exercise):
    layer, names, _ = await run_broadcast(exercise, "ex02-once", 3, "once")
    sends, group_sends = layer.calls["send"], layer.calls["group_send"]
    assert sends == 0, f"broadcast called layer.send {sends} times; the group should do the fan-out"
    assert group_sends == 1, f"broadcast called layer.group_send {group_sends} times, not once"
    for position, name in enumerate(names, 1):
        assert await nothing_waits(layer.layer, name), (
            f"channel {position} of 3 still had a message waiting after broadcast returned"
        )
