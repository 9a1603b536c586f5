"""Exercise 10 · rooms for staff only.

Rooms whose name starts with ``staff_`` (staff_lounge, staff_ops, ...) are for
staff: users whose ``is_staff`` is set, like ada, who may use Django's admin.
Anyone else who opens ws/chat/staff_lounge/, anonymous or logged in without
staff status, is turned away with the close code 4403. Every other room stays
open to everyone, as before.

AuthMiddlewareStack has put the user into ``self.scope["user"]`` before
``connect()`` runs: a User, or an AnonymousUser, whose ``is_authenticated``
and ``is_staff`` are both False.

Turn a client away *after* accepting it: ``await self.accept()``, then
``await self.close(code=FORBIDDEN)``. A close before ``accept()`` refuses the
handshake itself: daphne answers HTTP 403 and the code never reaches the
client (a browser's ``onclose`` sees 1006), so the page cannot tell its user
why. Codes 4000-4999 are free for applications to use; 4403 reads as
"forbidden".

Fill in the two TODOs, then run the check cell in lesson 10
(or `python -m coursekit check 10_room_access` in a terminal).
"""

import re

from channels.generic.websocket import AsyncJsonWebsocketConsumer

FORBIDDEN = 4403
ROOM_NAME = re.compile(r"[A-Za-z0-9_]{1,80}")  # chat/rooms.py's rule (lesson 06): this file cannot import the project


def may_enter(user, room_name):
    """True when ``user`` may join the room ``room_name``."""
    # TODO: a room whose name starts with "staff_" is for staff users only;
    #       every other room is open to everyone, anonymous clients included.
    raise NotImplementedError("may_enter does not decide yet")


class GuardedRoomConsumer(AsyncJsonWebsocketConsumer):
    """The lesson's chat room, with a door: staff_ rooms let only staff in."""

    room_group_name = None

    async def connect(self):
        self.room_name = self.scope['url_route']['kwargs']['room_name']
        if not ROOM_NAME.fullmatch(self.room_name):
            await self.close()  # a room the chat cannot open: HTTP 403 at the handshake
            return
        self.room_group_name = f"chat_{self.room_name}"
        # TODO: ask may_enter(self.scope['user'], self.room_name). When the answer
        #       is no: accept, close with the code FORBIDDEN, and return before
        #       joining the room's group. Then delete the line below.
        raise NotImplementedError("connect lets everyone in")
        await self.channel_layer.group_add(self.room_group_name, self.channel_name)
        await self.accept()

    async def disconnect(self, close_code):
        if self.room_group_name is not None:
            await self.channel_layer.group_discard(self.room_group_name, self.channel_name)

    async def receive_json(self, content, **kwargs):
        await self.channel_layer.group_send(
            self.room_group_name,
            {'type': 'chat_message', 'message': content['message'], 'user': self.user_name()},
        )

    async def chat_message(self, event):
        await self.send_json({'message': event['message'], 'user': event['user']})

    def user_name(self):
        """Who is speaking: the logged-in user's name, or "anonymous"."""
        user = self.scope.get('user')
        return user.username if user is not None and user.is_authenticated else 'anonymous'
