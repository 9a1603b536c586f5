### BEGIN SOLUTION
"""Solution to exercise 00 · the chat's message format."""
### EXERCISE
# """Exercise 00 · the chat's message format.
#
# Every message in this course's chat is a JSON object with a "message" key:
#
#     {"message": "hello"}
#
# Fill in the two functions below, then run the check cell in lesson 00
# (or `python -m coursekit check 00_first_message` in a terminal).
# """
### END SOLUTION

import json  ### EXERCISE: import json  # noqa: F401  (you will need it)


def make_message(text: str) -> str:
    """The JSON text a client sends to say ``text``."""
    ### BEGIN SOLUTION
    return json.dumps({"message": text})
    ### EXERCISE
    # # TODO: return the JSON text of {"message": text}
    # raise NotImplementedError("make_message is not written yet")
    ### END SOLUTION


def read_message(data: str) -> str:
    """The text inside a JSON message received from the server."""
    ### BEGIN SOLUTION
    return json.loads(data)["message"]
    ### EXERCISE
    # # TODO: decode the JSON and return its "message"
    # raise NotImplementedError("read_message is not written yet")
    ### END SOLUTION
