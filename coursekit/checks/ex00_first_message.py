"""Checks for exercises/00_first_message.py: the message format of the course's chat."""

import json

from coursekit.checking import check

TITLE = "the chat's message format"


@check("make_message returns a string", hint="json.dumps turns a dict into a JSON string")
def returns_text(exercise):
    result = exercise.make_message("hello")
    assert isinstance(result, str), f"it returned {type(result).__name__}, not str"


@check('it is the JSON object {"message": text}', hint='build {"message": text} and json.dumps it')
def is_json_object(exercise):
    for text in ["hello", "", "emoji 🎉 and \"quotes\""]:
        decoded = json.loads(exercise.make_message(text))
        assert decoded == {"message": text}, f"make_message({text!r}) decodes to {decoded!r}"


@check("read_message gets the text back out", hint='json.loads, then take the "message" key')
def reads_back(exercise):
    for text in ["hello", "two\nlines"]:
        got = exercise.read_message(json.dumps({"message": text}))
        assert got == text, f"read_message gave {got!r} for {text!r}"
