"""The chat at the end of the latest lesson holds COURSE.md's contract, from a client outside the project.

`python -m coursekit serve` (the `served` fixture) runs it; plain `websockets` clients, and the
burst client of `coursekit bench`, talk to it as anyone's client would.
"""

import asyncio
import json

import pytest
import websockets

from coursekit import burst


def url(port, room):
    return f"ws://127.0.0.1:{port}/ws/chat/{room}/"


def origin(port):
    return f"http://127.0.0.1:{port}"


async def next_json(ws, timeout=5.0):
    return json.loads(await asyncio.wait_for(ws.recv(), timeout))


def test_the_burst_of_50_clients_times_200_messages_loses_nothing(served):
    result = burst.run(url(served, "{room}"), clients=50, messages=200, origin=origin(served), limit=60)
    assert result.ok, result.summary()
    assert result.delivered == 10_000


def test_bad_input_gets_an_error_frame_and_the_room_hears_nothing(served):
    async def scenario():
        room = url(served, "contract_bad_input")
        async with websockets.connect(room, origin=origin(served)) as ann, \
                websockets.connect(room, origin=origin(served)) as bob:
            for payload in ["not json", "[1, 2]", '{"message": ""}', '{"message": 42}',
                            json.dumps({"message": "x" * 4001}), b"\x00\x01"]:
                await ann.send(payload)
                answer = await next_json(ann)
                assert set(answer) == {"error"} and answer["error"], (payload, answer)
            with pytest.raises(TimeoutError):
                await asyncio.wait_for(bob.recv(), 0.5)  # the room heard none of it
            await ann.send(json.dumps({"message": "still here"}))
            assert (await next_json(ann))["message"] == "still here"  # the connection stayed open
            assert (await next_json(bob))["message"] == "still here"

    asyncio.run(scenario())


def test_a_foreign_origin_is_refused_at_the_handshake(served):
    async def scenario():
        with pytest.raises(websockets.InvalidStatus) as refused:
            async with websockets.connect(url(served, "lobby"), origin="http://evil.example"):
                pass
        assert refused.value.response.status_code == 403

    asyncio.run(scenario())


def test_a_newcomer_hears_the_rooms_history_first(served):
    async def scenario():
        room = url(served, "contract_history")
        async with websockets.connect(room, origin=origin(served)) as ann:
            for text in ["first", "second"]:
                await ann.send(json.dumps({"message": text}))
                assert (await next_json(ann))["message"] == text
        async with websockets.connect(room, origin=origin(served)) as bob:
            heard = [(await next_json(bob))["message"] for _ in range(2)]
        assert heard == ["first", "second"]

    asyncio.run(scenario())
