### BEGIN SOLUTION
r"""Solution to exercise 03 · websocket_urlpatterns for two consumers.

`path('ws/notify/<int:user_id>/', NotifyConsumer.as_asgi())` works too: the
int converter matches digits only, and hands the consumer an int (42) rather
than a string ('42').
"""
### EXERCISE
# r"""Exercise 03 · websocket_urlpatterns for two consumers.
#
# The two consumers below are ready to use. Each one accepts the connection,
# sends a single JSON message naming itself and the keyword arguments the
# router captured from the path (scope["url_route"]["kwargs"]), and closes.
#
# Write `websocket_urlpatterns` at the bottom of this file so that:
#
# - ws/chat/<room_name>/ reaches ChatRoomConsumer, where room_name is made of
#   word characters (\w+): the course's chat route, as in chat/routing.py;
# - ws/notify/<user_id>/ reaches NotifyConsumer, where user_id is made of
#   digits only: ws/notify/42/ matches, ws/notify/abc/ does not;
# - nothing longer matches: ws/chat/lobby/extra/ reaches no consumer.
#
# Then run the check cell in lesson 03 (or, in a terminal,
# `python -m coursekit check 03_url_patterns`).
# """
### END SOLUTION

import json

from channels.generic.websocket import AsyncWebsocketConsumer
from django.urls import re_path  ### EXERCISE: from django.urls import re_path  # noqa: F401  (you will need it)


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
    ### BEGIN SOLUTION
    re_path(r'ws/chat/(?P<room_name>\w+)/$', ChatRoomConsumer.as_asgi()),
    re_path(r'ws/notify/(?P<user_id>\d+)/$', NotifyConsumer.as_asgi()),
    ### EXERCISE
    # # TODO: ws/chat/<room_name>/ -> ChatRoomConsumer (room_name: word characters)
    # # TODO: ws/notify/<user_id>/ -> NotifyConsumer (user_id: digits only)
    ### END SOLUTION
]
