"""Solution to exercise 00 · the chat's message format."""

import json


def make_message(text: str) -> str:
    """The JSON text a client sends to say ``text``."""
    return json.dumps({"message": text})


def read_message(data: str) -> str:
    """The text inside a JSON message received from the server."""
    return json.loads(data)["message"]
