### BEGIN SOLUTION
"""Solution to exercise 04 · an echo consumer that shouts and counts."""
### EXERCISE
# """Exercise 04 · an echo consumer that shouts and counts.
#
# Write EchoConsumer, a consumer like the lesson's ChatConsumer with two
# differences. For every {"message": text} a client sends, it answers
#
#     {"message": <text in capitals>, "count": <n>}
#
# where n is how many messages *this connection* has sent so far: 1 for the
# first, 2 for the second, and so on. Channels creates one consumer instance
# per connection, so an attribute you set on self in connect() belongs to that
# connection alone.
#
# The checks run your consumer in-process with Channels' WebsocketCommunicator
# (no daphne needed): run the check cell in lesson 04, or
# `python -m coursekit check 04_echo` in a terminal.
# """
### END SOLUTION

import json  ### EXERCISE: import json  # noqa: F401  (you will need it)

from channels.generic.websocket import AsyncWebsocketConsumer


class EchoConsumer(AsyncWebsocketConsumer):
    async def connect(self):
        ### BEGIN SOLUTION
        self.count = 0  # one consumer instance per connection: this count is the connection's own
        await self.accept()
        ### EXERCISE
        # # TODO: start this connection's count at 0, then accept the connection
        # raise NotImplementedError("connect is not written yet")
        ### END SOLUTION

    async def disconnect(self, close_code):
        pass

    async def receive(self, text_data):
        ### BEGIN SOLUTION
        message = json.loads(text_data)['message']
        self.count += 1
        await self.send(text_data=json.dumps({
            'message': message.upper(),
            'count': self.count,
        }))
        ### EXERCISE
        # # TODO: decode the JSON, add 1 to the count, and send back the JSON text of
        # #       {"message": <the message in capitals>, "count": <the count>}
        # raise NotImplementedError("receive is not written yet")
        ### END SOLUTION
