"""Checks for exercises/12_word_count.py: a worker consumer that counts words.

The learner's consumer runs for real, in this process, as `runworker` would
run it: one application instance for the channel "word-count", fed jobs with
ApplicationCommunicator, on Channels' in-memory layer. A listener channel in
the room's group hears what the worker says there.
"""

import asyncio

from coursekit.checking import check, configure_django
from coursekit.checks._support import close_quietly, empty_layer

TITLE = "a worker that counts words"

QUIET = 0.3  # seconds of silence that mean "nothing (more) is coming"


def prepare():
    configure_django(channel_layer="memory")


class Worker:
    """The learner's WordCountConsumer on the channel "word-count", and listeners in rooms."""

    def __init__(self, exercise):
        from channels.testing import ApplicationCommunicator

        self.communicator = ApplicationCommunicator(
            exercise.WordCountConsumer.as_asgi(), {"type": "channel", "channel": "word-count"}
        )

    async def __aenter__(self):
        self.layer = await empty_layer()
        return self

    async def __aexit__(self, *exc):
        await close_quietly(self.communicator)
        return False

    async def listener(self, room):
        channel = await self.layer.new_channel()
        await self.layer.group_add(f"chat_{room}", channel)
        return channel

    async def job(self, room, text):
        await self.communicator.send_input({"type": "count.words", "room": room, "text": text})

    async def heard(self, channel, wait=2.0):
        """The next event that reaches ``channel``, or None; raises the worker's error if it crashed."""
        receive = asyncio.ensure_future(self.layer.receive(channel))
        future = self.communicator.future
        done, _ = await asyncio.wait({receive, future}, timeout=wait, return_when=asyncio.FIRST_COMPLETED)
        if receive in done:
            return receive.result()
        receive.cancel()
        if future.done() and not future.cancelled():
            future.result()  # the worker ended: raise its error, if it had one
            raise AssertionError("the worker stopped after the job (does a handler return from __call__?)")
        return None


def shown(event):
    if event is None:
        return "nothing"
    return {key: value for key, value in event.items() if key != "type"}


async def answer_to(exercise, room, text):
    async with Worker(exercise) as worker:
        listener = await worker.listener(room)
        await worker.job(room, text)
        return await worker.heard(listener)


@check('a "count.words" job is answered in its room, as "words"',
       hint='the handler of type "count.words" is the method count_words; group_send to f"chat_{room}"')
async def answers_in_the_room(exercise):
    event = await answer_to(exercise, "lobby", "Doors close at six")
    expected = {"message": "4 words", "user": "words"}
    assert event is not None, 'after the job {"room": "lobby", "text": "Doors close at six"}, chat_lobby heard nothing'
    assert event.get("type") in ("chat_message", "chat.message"), (
        f"the event's type is {event.get('type')!r}, not 'chat_message' (RoomConsumer.chat_message handles it)"
    )
    assert shown(event) == expected, f"chat_lobby heard {shown(event)}, not {expected}"


@check("words are what str.split() finds",
       hint="len(text.split()): any run of spaces, tabs or newlines separates two words",
       jobs=[("kitchen", "  big   news\n\tfrom the   kitchen ", "5 words")])
@check('one word is "1 word", none is "0 words"',
       hint='describe(count): "word" when count == 1, "words" otherwise',
       jobs=[("lobby", "hello", "1 word"), ("lobby", "   ", "0 words")])
async def counts(exercise, jobs):
    for room, text, expected in jobs:
        heard = shown(await answer_to(exercise, room, text))
        if heard != {"message": expected, "user": "words"}:
            said = repr(heard["message"]) if isinstance(heard, dict) and heard.get("user") == "words" else heard
            raise AssertionError(f"for the text {text!r}, chat_{room} heard {said}, not {expected!r}")


@check("only the job's room hears the answer, and the worker goes on to the next job",
       hint="send to the group of event['room'], never a fixed one; let the handler return normally")
async def one_room_then_the_next_job(exercise):
    async with Worker(exercise) as worker:
        lobby = await worker.listener("lobby")
        kitchen = await worker.listener("kitchen")
        await worker.job("kitchen", "soup is ready")
        first = await worker.heard(kitchen)
        assert shown(first) == {"message": "3 words", "user": "words"}, f"chat_kitchen heard {shown(first)}"
        stray = await worker.heard(lobby, wait=QUIET)
        assert stray is None, f"a job for the kitchen, yet chat_lobby heard {shown(stray)}"
        await worker.job("lobby", "and now the lobby")
        second = await worker.heard(lobby)
        assert shown(second) == {"message": "4 words", "user": "words"}, (
            f"the second job (lobby, 4 words) was answered with {shown(second)}"
        )
