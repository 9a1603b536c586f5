"""A helper for lesson 06 (group consumers): waiting for something daphne does a moment later.

When a notebook client closes its socket, daphne runs the consumer's
``disconnect()`` (and so its ``group_discard``) a few milliseconds later, in
its own process. :func:`eventually` waits for such an effect without a fixed
sleep that is too short on a busy machine and too long everywhere else.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable


async def eventually(condition: Callable[[], bool], timeout: float = 3.0, interval: float = 0.05) -> bool:
    """Wait until ``condition()`` is true (True) or ``timeout`` seconds pass (False)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() >= deadline:
            return False
        await asyncio.sleep(interval)
    return True
