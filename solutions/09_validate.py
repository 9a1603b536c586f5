### BEGIN SOLUTION
"""Solution to exercise 09 · validating a richer chat format: private messages and edits."""
### EXERCISE
# """Exercise 09 · validating a richer chat format: private messages and edits.
#
# The lesson's chat accepts one form of message. A bigger chat accepts three:
#
#     {"message": "hi"}                        to the room, as in the lesson
#     {"message": "psst", "to": "bob"}         a private message to one user
#     {"edit": 7, "message": "fixed typo"}     replaces your earlier message number 7
#
# Write ``validate(content)``. It gets whatever ``json.loads`` made of a client's
# text, and returns None when ``content`` is one of the three forms, or a short
# reason (a non-empty str, sent back as {"error": reason}) when it is not:
#
# - "message" follows the lesson's rules in every form (``message_error`` below);
# - "to" is a user name: a string of 1 to 30 ASCII letters, digits or underscores;
# - "edit" is a message number: a positive JSON integer (7, not 7.0, "7" or true);
# - there are no other keys, and "to" and "edit" never come together.
#
# Whatever JSON arrives, ``validate`` answers: it never raises.
#
# Run the check cell in lesson 09 (or `python -m coursekit check 09_validate`
# in a terminal) after each change.
# """
### END SOLUTION

import re  ### EXERCISE: import re  # noqa: F401  (you may want it for the user name)

MAX_MESSAGE_LENGTH = 4000
### BEGIN SOLUTION
KEYS = {"message", "to", "edit"}
# fullmatch, not match or search: "bob\n" and "bob smith" are no user names.
USER_NAME = re.compile(r"[A-Za-z0-9_]{1,30}")
### END SOLUTION


def message_error(content):
    """The lesson's rules (chat/validation.py): the reason ``content`` is not a chat message, or None."""
    if not isinstance(content, dict):
        return 'send a JSON object, e.g. {"message": "hello"}'
    if 'message' not in content:
        return 'the object has no "message" key'
    message = content['message']
    if not isinstance(message, str):
        return '"message" must be a string'
    try:
        message.encode('utf-8')
    except UnicodeEncodeError:
        return '"message" is not valid text (it holds a lone surrogate)'
    if not message.strip():
        return '"message" is empty'
    if len(message) > MAX_MESSAGE_LENGTH:
        return f'"message" is longer than {MAX_MESSAGE_LENGTH} characters'
    return None


def validate(content):
    """The reason ``content`` is none of the three forms, or None when it is one of them."""
    ### BEGIN SOLUTION
    if isinstance(content, dict):
        unknown = sorted(set(content) - KEYS)
        if unknown:
            return f'unknown key "{unknown[0]}"; send "message", with "to" or "edit" at most'
        if "to" in content and "edit" in content:
            return 'send "to" or "edit", not both'
    error = message_error(content)
    if error:
        return error
    if "to" in content:
        to = content["to"]
        if not isinstance(to, str) or not USER_NAME.fullmatch(to):
            return '"to" must be a user name: 1 to 30 letters, digits or _'
    if "edit" in content:
        edit = content["edit"]
        # bool is a subclass of int: isinstance(True, int) is True.
        if isinstance(edit, bool) or not isinstance(edit, int) or edit < 1:
            return '"edit" must be a positive whole number'
    return None
    ### EXERCISE
    # # TODO: refuse keys other than "message", "to" and "edit", and "to" with "edit"
    # # TODO: apply message_error(content)
    # # TODO: check "to" when it is there, then "edit" when it is there
    # raise NotImplementedError("validate is not written yet")
    ### END SOLUTION
