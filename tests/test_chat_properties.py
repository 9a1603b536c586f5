"""Property-based tests of the final chat's consumer: whatever a client sends, the room stays sane.

The project at the end of the latest lesson is brought up once for this module in a temporary
folder (its SQLite database migrated there, once), loaded into this process with its own
settings, and its channel layer pointed at a real Valkey server. Two WebsocketCommunicators, ann
and bob, sit in one room and are reused from example to example (a fresh pair, in a fresh room,
only after an example broke the old one).

For every frame ann sends, COURSE.md's contract says one of two things happens, and never both:

- it is a chat message: everyone in the room, ann included, receives an object whose
  ``"message"`` is the text she sent;
- it is not: ann alone receives ``{"error": "<reason>"}``, and bob hears nothing.

Either way the consumer survives: a valid message ann sends next (the "marker") reaches both,
and it is the first thing bob hears after the frame (which is how "bob hears nothing" is seen
without waiting for a timeout).

Hypothesis profiles: ``course-ci`` (derandomized, so CI runs the same examples every time) when
CI is set, ``course-dev`` otherwise; both print the blob that reproduces a failure (the
``@reproduce_failure`` line) and keep no example database; hypothesis's caches go to the state folder.
"""

import asyncio
import itertools
import json
import os
import sys
from dataclasses import dataclass

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from hypothesis.configuration import set_hypothesis_home_dir
from hypothesis.control import currently_in_test_context

from coursekit import checkpoints, lessons, paths

import support

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
# Hypothesis keeps caches (Unicode tables, constants) in ./.hypothesis by default: the checkout. The
# state folder is the test run's own (conftest.py gives each worker one and removes it afterwards).
set_hypothesis_home_dir(paths.state_dir() / "hypothesis")
settings.register_profile("course-ci", derandomize=True, print_blob=True, database=None, deadline=None)
settings.register_profile("course-dev", print_blob=True, database=None, deadline=None)
settings.load_profile("course-ci" if IN_CI else "course-dev")

MAX_MESSAGE_LENGTH = 4000  # COURSE.md: "a message over 4,000 characters" gets an error
ORIGIN = [(b"origin", b"http://127.0.0.1")]
WAIT = 5  # seconds a communicator waits for a frame that must come


def examples(count: int) -> settings:
    """``count`` examples and no deadline: a round trip goes through SQLite and Redis, on a machine that may be busy."""
    return settings(max_examples=count, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# --- the project, in this process -----------------------------------------------------------------


@pytest.fixture(scope="module")
def application(tmp_path_factory):
    """The final project's ASGI application, its database migrated and its layer on a real Valkey."""
    from django.conf import settings as django_settings

    if django_settings.configured:
        pytest.fail("Django was configured by an earlier test in this process; this module needs its own project")
    scratch = tmp_path_factory.mktemp("properties")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("COURSE_STATE_DIR", str(scratch / "state"))
        valkey = support.start_valkey(paths.state_dir())
        try:
            root = scratch / "project"
            lessons.bring_up(lessons.available()[-1], root, at_end=True)  # migrates, once for the module
            patch.setenv("REDIS_URL", support.redis_url(valkey))
            patch.setenv("DJANGO_SETTINGS_MODULE", f"{checkpoints.PROJECT_PACKAGE}.settings")
            patch.syspath_prepend(str(root))
            from mysite.routing import application  # django.setup() happens in there

            assert django_settings.DATABASES["default"]["NAME"] == root / "db.sqlite3"
            yield application
        finally:
            from django.db import connections

            connections.close_all()
            valkey.stop()
            for name in [name for name in sys.modules if name.split(".")[0] in ("mysite", "chat")]:
                del sys.modules[name]


@pytest.fixture(scope="module")
def runner():
    """One event loop for the whole module, so the pair of communicators outlives each example."""
    with asyncio.Runner() as loop:
        yield loop


_rooms = itertools.count(1)


@dataclass
class Pair:
    """ann and bob, connected to one room; ``broken`` after an example that went wrong."""

    ann: object
    bob: object
    broken: bool = False


@pytest.fixture(scope="module")
def room(application, runner):
    """A callable giving a working pair: the same one as last time unless that one broke."""
    from channels.testing import WebsocketCommunicator

    held: list[Pair] = []

    async def connect() -> Pair:
        path = f"/ws/chat/props_{next(_rooms)}/"  # a new room: no history to read first
        ann, bob = (WebsocketCommunicator(application, path, headers=ORIGIN) for _ in range(2))
        for client in (ann, bob):
            connected, code = await client.connect(timeout=WAIT)
            assert connected, f"the chat refused {path} ({code})"
        return Pair(ann, bob)

    async def leave(pair: Pair) -> None:
        for client in (pair.ann, pair.bob):
            try:
                await client.disconnect(timeout=WAIT)
            except Exception:  # a broken pair may be gone already
                pass

    def get() -> Pair:
        if held and held[0].broken:
            runner.run(leave(held.pop()))
        if not held:
            held.append(runner.run(connect()))
        return held[0]

    yield get
    if held:
        runner.run(leave(held.pop()))


# --- what the contract says about a frame ---------------------------------------------------------


def as_sent(text: str) -> str:
    """``text`` as a browser's WebSocket puts it on the wire: each lone surrogate becomes U+FFFD.

    A text frame is UTF-8, which has no lone surrogates; the WebSocket API converts a JavaScript
    string to a USVString first. A surrogate pair stays the one character it stands for.
    """
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


def expected(text: str) -> tuple[str, object]:
    """("broadcast", message), ("error", None) or ("either", message) for a text frame, by COURSE.md.

    "either" where the contract is silent: a message of blanks only (empty once stripped?), one
    holding a lone surrogate (written as a JSON escape), and one of at most 4,000 code points but
    more than 4,000 UTF-16 units (JavaScript's idea of its length).
    """
    try:
        content = json.loads(text)
    except (ValueError, RecursionError):
        return "error", None
    if not isinstance(content, dict) or "message" not in content:
        return "error", None
    message = content["message"]
    if not isinstance(message, str) or message == "" or len(message) > MAX_MESSAGE_LENGTH:
        return "error", None
    if not message.strip() or as_sent(message) != message:
        return "either", message
    if len(message.encode("utf-16-le")) // 2 > MAX_MESSAGE_LENGTH:
        return "either", message
    return "broadcast", message


_markers = itertools.count(1)


async def next_frame(client) -> str:
    """The next text frame the consumer sends ``client``; its exception as soon as it raises one.

    ``receive_from(timeout)`` would wait out the whole timeout when the consumer crashes between
    two frames (and then cancel it), so a crash cost seconds per example while hypothesis shrinks.
    """
    get = asyncio.ensure_future(client.output_queue.get())
    done, _ = await asyncio.wait({get, client.future}, timeout=WAIT, return_when=asyncio.FIRST_COMPLETED)
    if get not in done:
        get.cancel()
        if client.future.done():
            client.future.result()  # the consumer's own exception, if it raised one
            raise AssertionError("the consumer ended without closing the connection")
        raise AssertionError(f"the consumer sent nothing within {WAIT} s")
    message = get.result()
    assert message["type"] == "websocket.send", f"the consumer closed the connection: {message}"
    assert message.get("text") is not None, f"the consumer sent a binary frame: {shown(message)}"
    return message["text"]


async def frames_until(client, marker: str) -> list[dict]:
    """The frames ``client`` receives before the marker's broadcast, each decoded (a few at most)."""
    before = []
    while True:
        frame = json.loads(await next_frame(client))
        if frame.get("message") == marker and "error" not in frame:
            return before
        before.append(frame)
        assert len(before) <= 3, f"more frames than one answer: {shown(before)}"


def shown(value) -> str:
    """``value``'s repr, cut in the middle when long (a refused frame may be a megabyte)."""
    text = repr(value)
    return text if len(text) <= 300 else f"{text[:150]} …({len(text)} characters)… {text[-100:]}"


def is_error_frame(frame: dict) -> bool:
    return set(frame) == {"error"} and isinstance(frame["error"], str) and bool(frame["error"])


def is_broadcast_of(frame: dict, message: str) -> bool:
    return "error" not in frame and frame.get("message") == message


def exchange(room, runner, text: str | None = None, data: bytes | None = None) -> tuple[list[dict], list[dict]]:
    """ann sends one frame, then the marker; what ann and bob heard before the marker."""
    pair = room()

    async def go():
        # The frame as daphne hands it over (send_to() refuses an empty one, which is a valid frame).
        if text is not None:
            text.encode("utf-8")  # a text frame is UTF-8: as_sent() first
            await pair.ann.send_input({"type": "websocket.receive", "text": text})
        else:
            await pair.ann.send_input({"type": "websocket.receive", "bytes": data})
        marker = f"marker {next(_markers)}"
        await pair.ann.send_to(text_data=json.dumps({"message": marker}))
        return await frames_until(pair.ann, marker), await frames_until(pair.bob, marker)

    try:
        return runner.run(go())
    except BaseException:
        pair.broken = True
        raise


def judge(kind: str, message, ann: list[dict], bob: list[dict]) -> None:
    assert len(ann) == 1, f"ann wanted one answer (a broadcast or an error), heard {shown(ann)}"
    (answer,) = ann
    if currently_in_test_context():  # hypothesis --hypothesis-show-statistics counts the outcomes
        event(f"contract says {kind}; the chat {'refused' if is_error_frame(answer) else 'broadcast'}")
    if is_error_frame(answer):
        assert kind in ("error", "either"), f"refused what the contract accepts: {shown(answer)}"
        assert bob == [], f"bob heard something of a refused frame: {shown(bob)}"
    else:
        assert kind in ("broadcast", "either"), f"broadcast what the contract refuses: {shown(answer)}"
        assert is_broadcast_of(answer, message), f"ann's answer is neither an error nor her message: {shown(answer)}"
        assert len(bob) == 1 and is_broadcast_of(bob[0], message), f"bob did not hear ann's message: {shown(bob)}"


def check_text(room, runner, text: str) -> None:
    sent = as_sent(text)
    kind, message = expected(sent)
    judge(kind, message, *exchange(room, runner, text=sent))


# --- strategies ---------------------------------------------------------------------------------


def repeated(unit, length: int):
    """``unit`` (text or bytes, not empty) repeated to exactly ``length`` long."""
    return (unit * (length // len(unit) + 1))[:length]


# Lengths around the limit, and far past it: a frame of up to a megabyte.
near_limit = st.integers(MAX_MESSAGE_LENGTH - 3, MAX_MESSAGE_LENGTH + 3)
lengths = st.one_of(st.integers(0, 12), near_limit, st.integers(MAX_MESSAGE_LENGTH + 4, 1_000_000))
long_texts = st.builds(repeated, st.text(min_size=1, max_size=4), lengths)
texts = st.one_of(st.text(), long_texts, st.sampled_from(["", " ", "\t\n", "\u3000", "\x00", "\ufeff"]))
json_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True, allow_infinity=True), texts,
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)),
    max_leaves=12,
)
keys = st.text(max_size=10).filter(lambda key: key != "message")
objects_with_message = st.builds(
    lambda extra, message: {**extra, "message": message},
    st.dictionaries(keys, json_values, max_size=3),
    # Plain text first (most of it is a chat message), then text just around the limit, then anything.
    st.one_of(st.text(min_size=1), st.builds(repeated, st.text(min_size=1, max_size=3), near_limit), texts,
              json_values),
)
objects_without_message = st.dictionaries(keys, json_values, max_size=4)


def encodings(value) -> st.SearchStrategy[str]:
    """The JSON text of ``value`` as Python writes it, and as a browser's JSON.stringify would send it."""
    return st.sampled_from([json.dumps(value), as_sent(json.dumps(value, ensure_ascii=False))])


# Text that is not quite JSON, or JSON the decoder refuses: nested too deep, a number too long.
awkward_texts = st.one_of(
    st.integers(1, 5_000).map(lambda depth: "[" * depth + "]" * depth),
    st.integers(1, 5_000).map(lambda depth: '{"message": ' + "[" * depth + "]" * depth + "}"),
    st.integers(4_000, 6_000).map(lambda digits: '{"message": ' + "7" * digits + "}"),
    st.sampled_from(['{"message": "x"', '{"message": NaN}', "null", '"message"', '{"message": "a", }']),
)


# --- the properties -------------------------------------------------------------------------------


@examples(200)
@given(text=st.one_of(texts, awkward_texts))
def test_any_text_frame_is_broadcast_or_refused_to_the_sender_alone(room, runner, text):
    check_text(room, runner, text)


@examples(60)
@given(data=st.one_of(st.binary(), st.builds(repeated, st.binary(min_size=1, max_size=3), lengths),
                      st.builds(lambda text: json.dumps({"message": text}).encode(), texts)))
def test_any_binary_frame_is_refused_to_the_sender_alone(room, runner, data):
    judge("error", None, *exchange(room, runner, data=data))


@examples(120)
@given(text=json_values.flatmap(encodings))
def test_any_json_value_is_broadcast_or_refused(room, runner, text):
    check_text(room, runner, text)


@examples(200)
@given(text=st.one_of(objects_with_message, objects_without_message).flatmap(encodings))
def test_any_object_with_or_without_a_message_is_broadcast_or_refused(room, runner, text):
    check_text(room, runner, text)


def test_a_plain_message_is_broadcast_and_bad_ones_refused(room, runner):
    """The oracle itself, on inputs whose answer is certain (so a property can't pass by saying "either")."""
    for text, kind in [('{"message": "hello"}', "broadcast"), ('{"message": "' + "x" * 4000 + '"}', "broadcast"),
                       ('{"message": "' + "x" * 4001 + '"}', "error"), ('{"message": 42}', "error"),
                       ("[1, 2]", "error"), ("not json", "error"), ('{"message": ""}', "error")]:
        assert expected(text)[0] == kind, shown(text)
        check_text(room, runner, text)
