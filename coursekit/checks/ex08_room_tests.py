"""Checks for exercises/08_room_tests.py: room tests that pass on the right consumer and fail on broken ones.

This is mutation testing by hand. The learner's ``RoomTests`` runs, with
unittest, first against a copy of the lesson's ``RoomConsumer`` (every test
must pass), then against five consumers with one bug each (at least one test
must fail or raise for each). The exercise's module-level ``application`` is
pointed at the consumer under test before each run.

Django runs an ``async def`` test through ``async_to_sync``, which refuses to
run in a thread that already has an event loop, so each run happens in a
thread of its own.
"""

import asyncio
import json
import threading
import traceback
import unittest
from pathlib import Path

from channels.generic.websocket import AsyncWebsocketConsumer

from coursekit.checking import check, configure_django
from coursekit.checks._support import chat_application

TITLE = "tests that can fail"


def prepare():
    configure_django(channel_layer="memory")


class RoomConsumer(AsyncWebsocketConsumer):
    """The lesson's consumer: what one client says, everyone in its room hears."""

    async def connect(self):
        self.room_name = self.scope['url_route']['kwargs']['room_name']
        self.room_group_name = self.group_name()
        await self.channel_layer.group_add(self.room_group_name, self.channel_name)
        await self.accept()

    async def disconnect(self, close_code):
        await self.channel_layer.group_discard(self.room_group_name, self.channel_name)

    async def receive(self, text_data):
        message = json.loads(text_data)['message']
        await self.channel_layer.group_send(
            self.room_group_name, {'type': 'chat_message', 'message': message, 'sender': self.channel_name}
        )

    async def chat_message(self, event):
        await self.send(text_data=json.dumps({'message': event['message']}))

    def group_name(self):
        return f"chat_{self.room_name}"


class AnswersOnlyTheSender(RoomConsumer):
    async def receive(self, text_data):
        await self.send(text_data=json.dumps({'message': json.loads(text_data)['message']}))


class LeavesTheSenderOut(RoomConsumer):
    async def chat_message(self, event):
        if event['sender'] != self.channel_name:
            await super().chat_message(event)


class OneGroupForEveryRoom(RoomConsumer):
    def group_name(self):
        return "chat"


class EchoesTwice(RoomConsumer):
    async def receive(self, text_data):
        await self.send(text_data=text_data)  # lesson 04's echo, left in
        await super().receive(text_data)


class CutsLongMessages(RoomConsumer):
    async def chat_message(self, event):
        await self.send(text_data=json.dumps({'message': event['message'][:1000]}))


class Outcome(unittest.TestResult):
    """What one run of the learner's tests gave: every test that failed or raised, and why."""

    def __init__(self):
        super().__init__()
        self.problems = []  # (test, exception)

    def addError(self, test, err):
        super().addError(test, err)
        self.problems.append((test, err[1]))

    def addFailure(self, test, err):
        super().addFailure(test, err)
        self.problems.append((test, err[1]))


def run_tests(exercise, consumer):
    exercise.application = chat_application(consumer)
    tests = getattr(exercise, "RoomTests", None)
    if not (isinstance(tests, type) and issubclass(tests, unittest.TestCase)):
        raise AssertionError("the file has no RoomTests class (a SimpleTestCase)")
    suite = unittest.defaultTestLoader.loadTestsFromTestCase(tests)
    if suite.countTestCases() == 0:
        raise AssertionError("RoomTests has no tests: write methods named test_...")
    outcome = Outcome()
    suite.run(outcome)
    return outcome


async def in_a_thread(function, *args):
    """``function(*args)`` in a daemon thread (one that never holds up the end of the check run)."""
    loop = asyncio.get_running_loop()
    future = loop.create_future()

    def settle(setter, value):
        if not future.done():
            setter(value)

    def work():
        try:
            result = function(*args)
        except BaseException as error:  # handed to the check, which reports it
            outcome = (future.set_exception, error)
        else:
            outcome = (future.set_result, result)
        try:
            loop.call_soon_threadsafe(settle, *outcome)
        except RuntimeError:  # the check run has ended already
            pass

    threading.Thread(target=work, daemon=True).start()
    return await future


def name_of(test):
    return getattr(test, "_testMethodName", None) or str(test).split(" ")[0]


def why(test, error, path):
    """One line on why ``test`` failed, pointing at the learner's file."""
    if isinstance(error, AssertionError):
        text = str(error).splitlines()[0] if str(error) else "AssertionError"
    elif isinstance(error, TimeoutError):
        text = "TimeoutError (nothing arrived in time)"
    else:
        text = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
    lines = [frame.lineno for frame in traceback.extract_tb(error.__traceback__) if Path(frame.filename) == path]
    where = f" (line {lines[-1]} of your file)" if lines else ""
    return f"{name_of(test)}: {text}{where}"


_baseline = {}


async def against_the_right_consumer(exercise):
    if id(exercise) not in _baseline:
        _baseline[id(exercise)] = await in_a_thread(run_tests, exercise, RoomConsumer)
    return _baseline[id(exercise)]


def exercise_path(exercise):
    return Path(exercise.__file__).resolve()


@check("every test passes against the lesson's RoomConsumer",
       hint="model them on chat/tests/test_rooms.py: join, send_json_to, receive_json_from, "
            "receive_nothing, and disconnect every client")
async def passes_on_the_right_consumer(exercise):
    outcome = await against_the_right_consumer(exercise)
    if outcome.problems:
        test, error = outcome.problems[0]
        failing, run = len(outcome.problems), outcome.testsRun
        count = f"{failing} of {run} test{'s' if run != 1 else ''} fail{'s' if failing == 1 else ''}"
        raise AssertionError(f"{count}; {why(test, error, exercise_path(exercise))}")


@check("they catch a consumer that answers only the sender",
       hint="connect a second client to the same room: it must hear the message too",
       broken=AnswersOnlyTheSender)
@check("they catch a consumer that leaves the sender out",
       hint="the sender must hear its own message back",
       broken=LeavesTheSenderOut)
@check("they catch a consumer that puts every room into one group",
       hint="a client in another room must hear nothing: assertTrue(await cat.receive_nothing())",
       broken=OneGroupForEveryRoom)
@check("they catch a consumer that sends the sender every message twice",
       hint="after the sender's copy has arrived, receive_nothing() must be True",
       broken=EchoesTwice)
@check("they catch a consumer that cuts long messages short",
       hint="send a message of 4,000 characters and compare what arrives with what was sent",
       broken=CutsLongMessages)
async def catches(exercise, broken):
    outcome = await against_the_right_consumer(exercise)
    if outcome.problems:
        raise AssertionError("first make every test pass against the lesson's RoomConsumer")
    caught = await in_a_thread(run_tests, exercise, broken)
    if not caught.problems:
        raise AssertionError(f"all {caught.testsRun} of your tests pass against it")
