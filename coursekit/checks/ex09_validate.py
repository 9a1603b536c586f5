"""Checks for exercises/09_validate.py: private messages and edits, validated.

``validate`` is a plain function, so the checks call it with many decoded
inputs (what ``json.loads`` can give) and look only at the kind of answer:
None for a good message, a non-empty str (the reason) for a bad one. The
wording of the reasons is the learner's.
"""

import json

from coursekit.checking import check

TITLE = "validating private messages and edits"

LONGEST = "x" * 4000


def accepts(exercise, cases):
    for label, content in cases:
        result = exercise.validate(content)
        assert result is None, f"for {label}, validate returned {result!r}, but that message is fine"


def refuses(exercise, cases):
    for label, content in cases:
        result = exercise.validate(content)
        assert isinstance(result, str) and result.strip(), (
            f"for {label}, validate returned {result!r}; expected a reason (a non-empty str)"
        )


@check("plain messages follow the lesson's rules",
       hint="start with: error = message_error(content); if error: return error")
def plain_messages(exercise):
    accepts(exercise, [
        ('{"message": "hi"}', {"message": "hi"}),
        ("a message of 4,000 characters", {"message": LONGEST}),
    ])
    refuses(exercise, [
        ('"hello" (a JSON string)', "hello"),
        ("a JSON list", ["message", "hi"]),
        ("null", None),
        ("a number", 42),
        ("{}", {}),
        ('{"message": 42}', {"message": 42}),
        ('{"message": null}', {"message": None}),
        ('{"message": ""}', {"message": ""}),
        ('{"message": "   "}', {"message": "   "}),
        ("a message of 4,001 characters", {"message": LONGEST + "x"}),
    ])


@check('"to" names one user: 1 to 30 letters, digits or _',
       hint="isinstance(to, str) first, then re.fullmatch(r'[A-Za-z0-9_]{1,30}', to): "
            "fullmatch, because re.match('...$') lets 'bob\\n' through")
def private_messages(exercise):
    accepts(exercise, [
        ('{"message": "psst", "to": "bob"}', {"message": "psst", "to": "bob"}),
        ('"to": "Ann_2"', {"message": "psst", "to": "Ann_2"}),
        ('"to": a name of 30 characters', {"message": "psst", "to": "b" * 30}),
    ])
    refuses(exercise, [
        ('"to": ""', {"message": "psst", "to": ""}),
        ('"to": "bob smith"', {"message": "psst", "to": "bob smith"}),
        ('"to": "bob\\n"', {"message": "psst", "to": "bob\n"}),
        ('"to": "bøb"', {"message": "psst", "to": "bøb"}),
        ('"to": a name of 31 characters', {"message": "psst", "to": "b" * 31}),
        ('"to": 42', {"message": "psst", "to": 42}),
        ('"to": null', {"message": "psst", "to": None}),
        ('"to": ["bob"]', {"message": "psst", "to": ["bob"]}),
        ('{"to": "bob"} (no message)', {"to": "bob"}),
        ('{"message": "", "to": "bob"}', {"message": "", "to": "bob"}),
    ])


@check('"edit" needs a positive whole number',
       hint="bool is a subclass of int (isinstance(True, int) is True): refuse bools before you accept ints")
def edits(exercise):
    accepts(exercise, [
        ('{"edit": 7, "message": "fixed typo"}', {"edit": 7, "message": "fixed typo"}),
        ('"edit": 1', {"edit": 1, "message": "fixed typo"}),
        ('"edit": 2**40', {"edit": 2**40, "message": "fixed typo"}),
    ])
    refuses(exercise, [
        ('"edit": 0', {"edit": 0, "message": "fixed typo"}),
        ('"edit": -3', {"edit": -3, "message": "fixed typo"}),
        ('"edit": 7.0', json.loads('{"edit": 7.0, "message": "fixed typo"}')),
        ('"edit": 1.5', {"edit": 1.5, "message": "fixed typo"}),
        ('"edit": "7"', {"edit": "7", "message": "fixed typo"}),
        ('"edit": true', {"edit": True, "message": "fixed typo"}),
        ('"edit": null', {"edit": None, "message": "fixed typo"}),
        ('"edit": NaN (Python\'s json.loads accepts it)', json.loads('{"edit": NaN, "message": "fixed typo"}')),
        ('"edit": [7]', {"edit": [7], "message": "fixed typo"}),
        ('{"edit": 7} (no message)', {"edit": 7}),
        ('{"edit": 7, "message": "  "}', {"edit": 7, "message": "  "}),
    ])


@check('other keys, and "to" with "edit", are refused',
       hint='compare set(content) with {"message", "to", "edit"} before anything else')
def unknown_keys(exercise):
    refuses(exercise, [
        ('"colour": "red"', {"message": "hi", "colour": "red"}),
        ('"type": "chat_message"', {"message": "hi", "type": "chat_message"}),
        ('"to" and "edit" together', {"message": "hi", "to": "bob", "edit": 7}),
        ('"edit", "to" and "colour"', {"edit": 7, "to": "bob", "colour": "red", "message": "hi"}),
    ])
