"""Exercise 00 · the chat's message format.

Every message in this course's chat is a JSON object with a "message" key:

    {"message": "hello"}

Fill in the two functions below, then run the check cell in lesson 00
(or `python -m coursekit check 00_first_message` in a terminal).
"""

import json  # noqa: F401  (you will need it)


def make_message(text: str) -> str:
    """The JSON text a client sends to say ``text``."""
    # TODO: return the JSON text of {"message": text}
    raise NotImplementedError("make_message is not written yet")


def read_message(data: str) -> str:
    """The text inside a JSON message received from the server."""
    # TODO: decode the JSON and return its "message"
    raise NotImplementedError("read_message is not written yet")
