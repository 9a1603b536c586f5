"""Solution to exercise 09 · validating a richer chat format: private messages and edits."""

import re

MAX_MESSAGE_LENGTH = 4000
KEYS = {"message", "to", "edit"}
# fullmatch, not match or search: "bob\n" and "bob smith" are no user names.
USER_NAME = re.compile(r"[A-Za-z0-9_]{1,30}")


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
