r"""Solution to exercise 03 · websocket_urlpatterns for two consumers.

`path('ws/notify/<int:user_id>/', NotifyConsumer.as_asgi())` works too: the
int converter matches digits only, and hands the consumer an int (42) rather
than a string ('42').
"""

import json

from channels.generic.websocket import AsyncWebsocketConsumer
from django.urls import re_path


class ChatRoomConsumer(AsyncWebsocketConsumer):
    """Says which consumer the router picked, and what it captured."""

    async def connect(self):
        await self.accept()
        await self.send(text_data=json.dumps({
            'consumer': 'chat',
            'kwargs': self.scope['url_route']['kwargs'],
        }))
        await self.close()


class NotifyConsumer(AsyncWebsocketConsumer):
    """Says which consumer the router picked, and what it captured."""

    async def connect(self):
        await self.accept()
        await self.send(text_data=json.dumps({
            'consumer': 'notify',
            'kwargs': self.scope['url_route']['kwargs'],
        }))
        await self.close()


websocket_urlpatterns = [
    re_path(r'ws/chat/(?P<room_name>\w+)/$', ChatRoomConsumer.as_asgi()),
    re_path(r'ws/notify/(?P<user_id>\d+)/$', NotifyConsumer.as_asgi()),
]
