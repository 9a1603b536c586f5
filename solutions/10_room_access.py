"""Solution to exercise 10 · rooms for staff only."""

from channels.generic.websocket import AsyncJsonWebsocketConsumer

FORBIDDEN = 4403


def may_enter(user, room_name):
    """True when ``user`` may join the room ``room_name``."""
    if room_name.startswith("staff_"):
        return user.is_authenticated and user.is_staff
    return True


class GuardedRoomConsumer(AsyncJsonWebsocketConsumer):
    """The lesson's chat room, with a door: staff_ rooms let only staff in."""

    async def connect(self):
        self.room_name = self.scope['url_route']['kwargs']['room_name']
        self.room_group_name = f"chat_{self.room_name}"
        if not may_enter(self.scope['user'], self.room_name):
            # Accept first, so the client receives the code: a close before
            # accept() would be an HTTP 403 that says nothing.
            await self.accept()
            await self.close(code=FORBIDDEN)
            return
        await self.channel_layer.group_add(self.room_group_name, self.channel_name)
        await self.accept()

    async def disconnect(self, close_code):
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
