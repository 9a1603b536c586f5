"""Solution to exercise 04 · an echo consumer that shouts and counts."""

import json

from channels.generic.websocket import AsyncWebsocketConsumer


class EchoConsumer(AsyncWebsocketConsumer):
    async def connect(self):
        self.count = 0  # one consumer instance per connection: this count is the connection's own
        await self.accept()

    async def disconnect(self, close_code):
        pass

    async def receive(self, text_data):
        message = json.loads(text_data)['message']
        self.count += 1
        await self.send(text_data=json.dumps({
            'message': message.upper(),
            'count': self.count,
        }))
