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
       hint="start with: error = message_error(content); if error: return error",
       accepted=[
           ('{"message": "hi"}', {"message": "hi"}),
           ("a message of 4,000 characters", {"message": LONGEST}),
           ('{"message": "🎉"} (a pair of surrogates in JSON, one character in Python)',
            json.loads('{"message": "\\ud83c\\udf89"}')),
       ],
       refused=[
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
           ('{"message": "\\ud800"} (a lone surrogate: valid JSON, not valid text)',
            json.loads('{"message": "\\ud800"}')),
           ('{"message": "hi \\udfff"} (a lone surrogate)', json.loads('{"message": "hi \\udfff"}')),
       ])
@check('"to" names one user: 1 to 30 letters, digits or _',
       hint="isinstance(to, str) first, then re.fullmatch(r'[A-Za-z0-9_]{1,30}', to): "
            "fullmatch, because re.match('...$') lets 'bob\\n' through",
       accepted=[
           ('{"message": "psst", "to": "bob"}', {"message": "psst", "to": "bob"}),
           ('"to": "Ann_2"', {"message": "psst", "to": "Ann_2"}),
           ('"to": a name of 30 characters', {"message": "psst", "to": "b" * 30}),
       ],
       refused=[
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
           ('{"message": "\\ud800", "to": "bob"} (a lone surrogate)',
            json.loads('{"message": "\\ud800", "to": "bob"}')),
       ])
@check('"edit" needs a positive whole number',
       hint="bool is a subclass of int (isinstance(True, int) is True): refuse bools before you accept ints",
       accepted=[
           ('{"edit": 7, "message": "fixed typo"}', {"edit": 7, "message": "fixed typo"}),
           ('"edit": 1', {"edit": 1, "message": "fixed typo"}),
           ('"edit": 2**40', {"edit": 2**40, "message": "fixed typo"}),
       ],
       refused=[
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
       hint='compare set(content) with {"message", "to", "edit"} before anything else',
       refused=[
           ('"colour": "red"', {"message": "hi", "colour": "red"}),
           ('"type": "chat_message"', {"message": "hi", "type": "chat_message"}),
           ('"to" and "edit" together', {"message": "hi", "to": "bob", "edit": 7}),
           ('"edit", "to" and "colour"', {"edit": 7, "to": "bob", "colour": "red", "message": "hi"}),
       ])
def answers(exercise, accepted=(), refused=()):
    """``validate`` returns None for every ``accepted`` message and a reason for every ``refused`` one."""
    accepts(exercise, accepted)
    refuses(exercise, refused)
