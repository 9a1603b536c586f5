### BEGIN SOLUTION
"""Solution to exercise 06 · a room that says who comes and goes."""
### EXERCISE
# """Exercise 06 · a room that says who comes and goes.
#
# Lesson 06's RoomConsumer relays every chat message to everyone in the room.
# Make it also tell the room when someone arrives or leaves:
#
#     {"message": "ann joined"}   to everyone in the room, ann included, when ann connects
#     {"message": "ann left"}     to everyone still in the room when ann disconnects
#
# A client says its name in the query string, ws/chat/lobby/?name=ann; the
# ``user_name`` function below reads it for you. Clients in other rooms hear
# none of it.
#
# Fill in the two TODOs, then run the check cell in lesson 06
# (or `python -m coursekit check 06_room_announcements` in a terminal).
# """
### END SOLUTION

import json
from urllib.parse import parse_qs

from channels.generic.websocket import AsyncWebsocketConsumer


def user_name(scope):
    """The ``name`` of the query string (``?name=ann``), or "someone" without one."""
    query = parse_qs(scope["query_string"].decode())
    return query.get("name", ["someone"])[0]


class AnnouncingRoomConsumer(AsyncWebsocketConsumer):
    async def connect(self):
        self.room_name = self.scope['url_route']['kwargs']['room_name']
        self.room_group_name = f"chat_{self.room_name}"
        self.user_name = user_name(self.scope)

        # Join room group
        await self.channel_layer.group_add(
            self.room_group_name,
            self.channel_name
        )

        await self.accept()

        ### BEGIN SOLUTION
        # Announce the newcomer: after group_add, so they hear it too
        await self.channel_layer.group_send(
            self.room_group_name,
            {
                'type': 'chat_message',
                'message': f"{self.user_name} joined"
            }
        )
        ### EXERCISE
        # # TODO: tell everyone in the room, the newcomer included, "<name> joined".
        # #       A group_send whose 'type' is 'chat_message' does it.
        # raise NotImplementedError("connect does not announce the newcomer yet")
        ### END SOLUTION

    async def disconnect(self, close_code):
        ### BEGIN SOLUTION
        # Leave room group first: no copy of the goodbye waits for a closed channel
        await self.channel_layer.group_discard(
            self.room_group_name,
            self.channel_name
        )

        await self.channel_layer.group_send(
            self.room_group_name,
            {
                'type': 'chat_message',
                'message': f"{self.user_name} left"
            }
        )
        ### EXERCISE
        # # TODO: leave the room group (group_discard), then tell the others "<name> left".
        # raise NotImplementedError("disconnect does not leave the room yet")
        ### END SOLUTION

    async def receive(self, text_data):
        text_data_json = json.loads(text_data)
        message = text_data_json['message']

        # Send message to room group
        await self.channel_layer.group_send(
            self.room_group_name,
            {
                'type': 'chat_message',
                'message': message
            }
        )

    # Receive message from room group
    async def chat_message(self, event):
        message = event['message']

        # Send message to WebSocket
        await self.send(text_data=json.dumps({
            'message': message
        }))
