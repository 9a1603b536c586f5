"""A burst of chat messages, and what every client heard of it.

``N`` clients join one room, then ``M`` messages are sent round-robin among
them (message ``k`` by client ``k % N``) as fast as the clients can send, so
every client should hear every message: ``N × M`` deliveries. Each client
counts what it hears. A delivery's latency is the time from the message's send
to its arrival at one client, matched by the id the message text carries
(client and clock are in this one process).

The burst ends in one of three ways, whichever comes first: every expected
delivery arrived (``complete``), nothing arrived for ``quiet`` seconds after
the last send (``quiet``), or ``limit`` seconds passed (``time limit``).

Works against anything that speaks the chat's wire format: the client sends
``{"message": text}``, everyone in the room (the sender too) receives an
object with at least ``"message"``; ``{"error": ...}`` frames are counted,
frames marked ``"history"`` (the chat replays a room's past to a newcomer)
are skipped, and each burst uses a room of its own, so there is no history
to replay in the first place.

In a notebook: ``result = await burst.burst(url, origin=...)``, or
``burst.run(...)``, which waits for it anywhere.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import websockets
from websockets.asyncio.client import ClientConnection, connect


def percentile(values: Sequence[float], q: float) -> float | None:
    """The ``q``-th percentile (0–100) of ``values``, interpolating between ranks (numpy's default); None if empty."""
    if not values:
        return None
    if not 0 <= q <= 100:
        raise ValueError(f"percentile {q} is not between 0 and 100")
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    below = int(position)
    above = min(below + 1, len(ordered) - 1)
    return ordered[below] + (ordered[above] - ordered[below]) * (position - below)


@dataclass
class BurstResult:
    """What the clients heard. Times are in seconds."""

    clients: int
    messages: int
    delivered: int = 0
    seconds: float = 0.0  # from the first send to the last delivery
    latencies: list[float] = field(default_factory=list, repr=False)  # one per delivery
    error_frames: int = 0
    broken: int = 0  # connections refused at the handshake or closed before the end
    incomplete: int = 0  # messages that at least one client never heard
    duplicates: int = 0
    ended: str = ""  # "complete", "quiet" or "time limit"
    first_error: str = ""

    @property
    def expected(self) -> int:
        return self.clients * self.messages

    @property
    def lost(self) -> int:
        """Deliveries that never came."""
        return self.expected - self.delivered

    @property
    def rate(self) -> float:
        """Deliveries per second."""
        return self.delivered / self.seconds if self.seconds > 0 else 0.0

    @property
    def p50(self) -> float | None:
        return percentile(self.latencies, 50)

    @property
    def p99(self) -> float | None:
        return percentile(self.latencies, 99)

    @property
    def ok(self) -> bool:
        """Every client heard every message, once, with no error frame and no broken connection."""
        return self.lost == 0 and self.error_frames == 0 and self.broken == 0 and self.duplicates == 0

    def summary(self) -> str:
        """One line: the counts first, then the figures that vary from run to run."""
        def ms(value):
            return "–" if value is None else f"{value * 1000:.0f} ms"
        return (
            f"{self.delivered:,} of {self.expected:,} delivered ({self.ended}), {self.error_frames} error frames, "
            f"{self.broken} broken connections; {self.rate:,.0f} deliveries/s, "
            f"latency p50 {ms(self.p50)}, p99 {ms(self.p99)}"
        )


class _Tally:
    """The shared counters the clients' readers update."""

    def __init__(self, clients: int, messages: int, tag: str):
        self.result = BurstResult(clients, messages)
        self.prefix = f"burst {tag} #"
        self.sent_at: list[float | None] = [None] * messages
        self.heard = [[False] * messages for _ in range(clients)]
        self.last_activity = time.perf_counter()
        self.last_delivery = 0.0
        self.complete = asyncio.Event()

    def text(self, k: int) -> str:
        return f"{self.prefix}{k}"

    def frame(self, client: int, raw: str | bytes, now: float) -> None:
        self.last_activity = now
        result = self.result
        try:
            data = json.loads(raw)
        except ValueError:
            data = None
        if not isinstance(data, dict):
            result.error_frames += 1
            result.first_error = result.first_error or f"not a JSON object: {str(raw)[:80]}"
            return
        if "error" in data:
            result.error_frames += 1
            result.first_error = result.first_error or str(data["error"])[:120]
            return
        text = data.get("message")
        if data.get("history") or not isinstance(text, str) or not text.startswith(self.prefix):
            return  # the room's past, or someone else's words (an announcement, the stats worker)
        k = int(text[len(self.prefix):])
        if self.heard[client][k]:
            result.duplicates += 1
            return
        self.heard[client][k] = True
        result.delivered += 1
        result.latencies.append(now - self.sent_at[k])
        self.last_delivery = now
        if result.delivered == result.expected:
            self.complete.set()


async def _listen(client: int, ws: ClientConnection, tally: _Tally, closing: asyncio.Event) -> None:
    try:
        async for raw in ws:
            tally.frame(client, raw, time.perf_counter())
    except websockets.ConnectionClosed:
        pass
    if not closing.is_set():  # the server closed it, or it broke, before the burst ended
        tally.result.broken += 1
        tally.last_activity = time.perf_counter()


async def _connect(url: str, origin: str | None, timeout: float) -> ClientConnection:
    return await connect(
        url,
        origin=origin,
        compression=None,  # plain frames for every server, so each does the same work
        ping_interval=None,  # a server busy with the burst must not look dead
        open_timeout=timeout,
        close_timeout=2,
        max_size=None,
        proxy=None,
    )


async def burst(
    urls: str | Sequence[str],
    *,
    clients: int = 50,
    messages: int = 200,
    origin: str | None = None,
    room: str | None = None,
    quiet: float = 5.0,
    limit: float = 60.0,
    connect_timeout: float = 20.0,
) -> BurstResult:
    """Send a burst through the chat at ``urls`` and count what every client heard.

    ``urls`` is one WebSocket address with ``{room}`` in it (e.g.
    ``ws://127.0.0.1:8000/ws/chat/{room}/``), or several (one per server
    process: client ``i`` connects to ``urls[i % len(urls)]``). ``room`` is a
    fresh name unless given. ``origin`` is sent as the Origin header (the chat
    from lesson 10 on refuses a foreign or missing one).
    """
    urls = [urls] if isinstance(urls, str) else list(urls)
    room = room or f"burst{uuid.uuid4().hex[:10]}"
    tally = _Tally(clients, messages, uuid.uuid4().hex[:8])
    result = tally.result
    closing = asyncio.Event()
    addresses = [urls[i % len(urls)].format(room=room) for i in range(clients)]
    outcomes = await asyncio.gather(
        *(_connect(address, origin, connect_timeout) for address in addresses), return_exceptions=True
    )
    connections: dict[int, ClientConnection] = {}
    for i, outcome in enumerate(outcomes):
        if isinstance(outcome, BaseException):
            result.broken += 1
            result.first_error = result.first_error or f"connect: {outcome}"[:120]
        else:
            connections[i] = outcome
    readers = [asyncio.create_task(_listen(i, ws, tally, closing)) for i, ws in connections.items()]
    senders = list(connections) or [0]
    start = time.perf_counter()
    try:
        if connections:
            for k in range(messages):
                ws = connections[senders[k % len(senders)]]
                tally.sent_at[k] = time.perf_counter()
                try:
                    await ws.send(json.dumps({"message": tally.text(k)}))
                except websockets.ConnectionClosed:
                    pass  # counted as broken by its reader
            tally.last_activity = time.perf_counter()
            while not tally.complete.is_set():
                now = time.perf_counter()
                if now - start > limit:
                    result.ended = "time limit"
                    break
                if now - tally.last_activity > quiet:
                    result.ended = "quiet"
                    break
                try:
                    await asyncio.wait_for(tally.complete.wait(), 0.05)
                except TimeoutError:
                    pass
            else:
                result.ended = "complete"
        else:
            result.ended = "no connection"
    finally:
        closing.set()
        await asyncio.gather(*(ws.close() for ws in connections.values()), return_exceptions=True)
        for reader in readers:
            reader.cancel()
        await asyncio.gather(*readers, return_exceptions=True)
    result.seconds = (tally.last_delivery - start) if result.delivered else 0.0
    result.incomplete = sum(
        1 for k in range(messages) if not all(tally.heard[i][k] for i in range(clients))
    )
    return result


def run(urls: str | Sequence[str], **options) -> BurstResult:
    """:func:`burst`, waited for: from a script, or from a notebook cell without ``await``."""
    return run_to_end(burst(urls, **options))


def run_to_end(coroutine):
    """Run ``coroutine`` to its end and return its result, whether or not this thread runs an event loop.

    A Jupyter kernel runs one, so ``asyncio.run`` would refuse; the coroutine
    then gets a loop of its own in a helper thread, and the cell waits for it.
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    with ThreadPoolExecutor(max_workers=1) as helper:
        return helper.submit(asyncio.run, coroutine).result()
