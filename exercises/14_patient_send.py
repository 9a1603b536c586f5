"""Exercise 14 · a send that waits when the channel is full.

A channel layer's send() raises ChannelFull when the channel already holds
`capacity` messages: the receiver is behind. That is backpressure, and the
sender decides what to do about it. Write send_patiently():

  - send `message` to `channel` on `layer` (await layer.send(channel, message));
  - when the channel is full, wait `delay` seconds and try again, waiting
    twice as long after each refusal: delay, 2 × delay, 4 × delay, ...;
  - try at most `attempts` times in all; when the last attempt is refused
    too, let ChannelFull reach the caller (do not swallow it);
  - when the channel has room, send at once, without waiting.

Run the check cell in lesson 14 (or `python -m coursekit check 14_patient_send`).
"""

import asyncio  # noqa: F401  (you will need it)

from channels.exceptions import ChannelFull  # noqa: F401  (you will need it)


async def send_patiently(layer, channel, message, attempts=5, delay=0.05):
    """Send ``message``, waiting and retrying (delay, then twice as long each time) while the channel is full."""
    # TODO: try layer.send(); on ChannelFull wait and try again, as described
    #       above, then delete the line below.
    await layer.send(channel, message)
