"""Checks for exercises/14_patient_send.py: a send that waits and retries while the channel is full.

The learner's send_patiently runs for real, in this process, against Channels'
in-memory layer with a capacity of 2, wrapped so the checks count the sends.
"""

import asyncio
import time

from coursekit.checking import check, configure_django

TITLE = "a send that waits when the channel is full"

CHANNEL = "jobs-for-the-check"


def prepare():
    configure_django(channel_layer="memory")


class CountingLayer:
    """An in-memory layer with a capacity of 2 that counts the calls to send()."""

    def __init__(self):
        from channels.layers import InMemoryChannelLayer

        self.layer = InMemoryChannelLayer(capacity=2)
        self.sends = 0

    async def send(self, channel, message):
        self.sends += 1
        await self.layer.send(channel, message)

    async def fill(self):
        for number in range(2):
            await self.layer.send(CHANNEL, {"type": "job", "number": number})


async def timed(coroutine, limit=5.0):
    """(seconds it took, the exception it raised or None)."""
    began = time.monotonic()
    try:
        await asyncio.wait_for(coroutine, limit)
        error = None
    except TimeoutError:
        raise AssertionError(f"send_patiently was still waiting after {limit:.0f} s") from None
    except Exception as raised:
        error = raised
    return time.monotonic() - began, error


@check("a channel with room: sent at once, without waiting",
       hint="await layer.send(channel, message) first; sleep only after a ChannelFull")
async def sends_at_once(exercise):
    layer = CountingLayer()
    took, error = await timed(exercise.send_patiently(layer, CHANNEL, {"type": "job", "number": 1}, delay=0.5))
    assert error is None, f"it raised {type(error).__name__}: {error}"
    assert layer.sends == 1, f"send() was called {layer.sends} times, not once"
    assert took < 0.25, f"it waited {took:.2f} s before sending into an empty channel"
    received = await layer.layer.receive(CHANNEL)
    assert received == {"type": "job", "number": 1}, f"the channel received {received}"


@check("a full channel: it waits, and sends once there is room",
       hint="catch channels.exceptions.ChannelFull, await asyncio.sleep(delay), and try again")
async def waits_for_room(exercise):
    from channels.exceptions import ChannelFull

    layer = CountingLayer()
    await layer.fill()
    sending = asyncio.ensure_future(exercise.send_patiently(layer, CHANNEL, {"type": "job", "number": 2},
                                                            attempts=5, delay=0.05))
    await asyncio.sleep(0.08)
    if sending.done():
        error = sending.exception()
        if isinstance(error, ChannelFull):
            raise AssertionError("ChannelFull reached the caller at the first refusal; wait and try again")
        raise AssertionError(f"it returned before the channel had room (raised: {error!r})")
    await layer.layer.receive(CHANNEL)  # the receiver catches up: room for one
    took, error = await timed(sending)
    assert error is None, f"it raised {type(error).__name__}: {error} although the channel had room again"
    queued = [await layer.layer.receive(CHANNEL) for _ in range(2)]
    assert queued[-1] == {"type": "job", "number": 2}, f"the channel holds {queued}, without the new message"


@check("it waits delay, then twice as long after each refusal",
       hint="sleep delay * 2 ** attempt: 0.05, 0.1, 0.2 ... for delay=0.05", attempts=4, delay=0.05)
async def backs_off(exercise, attempts, delay):
    layer = CountingLayer()
    await layer.fill()
    took, _ = await timed(exercise.send_patiently(layer, CHANNEL, {"type": "job"}, attempts=attempts,
                                                  delay=delay))
    expected = sum(delay * 2**n for n in range(attempts - 1))  # no wait after the last attempt
    assert layer.sends == attempts, f"send() was called {layer.sends} times for attempts={attempts}"
    assert expected * 0.9 <= took <= expected + 0.25, (
        f"with attempts={attempts} and delay={delay} it took {took:.2f} s; "
        f"waiting {', '.join(f'{delay * 2**n:g}' for n in range(attempts - 1))} s takes {expected:.2f} s"
    )


@check("after the last attempt, ChannelFull reaches the caller",
       hint="re-raise ChannelFull when the last attempt is refused; never return as if it was sent",
       attempts=3)
async def gives_up(exercise, attempts):
    from channels.exceptions import ChannelFull

    layer = CountingLayer()
    await layer.fill()
    _, error = await timed(exercise.send_patiently(layer, CHANNEL, {"type": "job"}, attempts=attempts, delay=0.01))
    assert layer.sends == attempts, f"send() was called {layer.sends} times for attempts={attempts}"
    assert isinstance(error, ChannelFull), (
        "it returned as if the message had been sent" if error is None
        else f"it raised {type(error).__name__}, not ChannelFull"
    )
