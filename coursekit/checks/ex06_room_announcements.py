"""Checks for exercises/06_room_announcements.py: a room consumer that announces joins and leaves.

The learner's consumer runs for real, in this process, behind the lesson's
route ``ws/chat/<room_name>/``, on Channels' in-memory layer; each check
starts from an empty layer and talks to it with WebsocketCommunicator.
"""

from coursekit.checking import check, configure_django
from coursekit.checks._support import chat_application, close_quietly, empty_layer, heard, members

TITLE = "a room that says who comes and goes"


def prepare():
    configure_django(channel_layer="memory")


class Room:
    """The clients one check connects, disconnected again when it ends."""

    def __init__(self, exercise):
        self.application = chat_application(exercise.AnnouncingRoomConsumer)
        self.clients = []

    async def __aenter__(self):
        self.layer = await empty_layer()
        return self

    async def __aexit__(self, *exc):
        for client in self.clients:
            await close_quietly(client)
        return False

    async def join(self, room, name):
        from channels.testing import WebsocketCommunicator

        client = WebsocketCommunicator(self.application, f"/ws/chat/{room}/?name={name}")
        self.clients.append(client)
        try:
            connected, _ = await client.connect()
        except TimeoutError:
            why = f"{name}'s connection to {room} got no answer (is accept() awaited?)"
            raise AssertionError(why) from None
        assert connected, f"{name}'s connection to {room} was refused"
        return client

    async def leave(self, client):
        self.clients.remove(client)
        await client.disconnect()

    def members(self, room):
        return members(self.layer, room)


def said(text):
    return {"message": text}


@check('a newcomer hears "<name> joined" too',
       hint="group_send the announcement after group_add, so the newcomer is in the group already")
async def newcomer_hears_own_arrival(exercise):
    async with Room(exercise) as room:
        ann = await room.join("lobby", "ann")
        got = await heard(ann)
        expected = [said("ann joined")]
        assert got == expected, f"ann joined the lobby and heard {got}, not {expected}"


@check('everyone already in the room hears "<name> joined"',
       hint="in connect: group_send to self.room_group_name with 'type': 'chat_message'")
async def room_hears_arrival(exercise):
    async with Room(exercise) as room:
        ann = await room.join("lobby", "ann")
        await heard(ann)
        await room.join("lobby", "bob")
        got = await heard(ann)
        assert said("bob joined") in got, f"when bob joined the lobby, ann heard {got}"


@check("chat messages still reach everyone in the room",
       hint="keep receive() and chat_message() as the lesson's RoomConsumer has them")
async def chat_still_works(exercise):
    async with Room(exercise) as room:
        ann = await room.join("lobby", "ann")
        bob = await room.join("lobby", "bob")
        await heard(ann)
        await heard(bob)
        await ann.send_json_to(said("hello"))
        for name, client in [("ann", ann), ("bob", bob)]:
            got = await heard(client)
            assert said("hello") in got, f'after ann said "hello", {name} heard {got}'


@check('those who stay hear "<name> left"',
       hint="in disconnect: group_send the goodbye to the room")
async def room_hears_departure(exercise):
    async with Room(exercise) as room:
        ann = await room.join("lobby", "ann")
        bob = await room.join("lobby", "bob")
        await heard(ann)
        await room.leave(bob)
        got = await heard(ann)
        assert said("bob left") in got, f"when bob left the lobby, ann heard {got}"


@check("a client that leaves is taken out of the room group",
       hint="in disconnect: await self.channel_layer.group_discard(self.room_group_name, self.channel_name)")
async def leaver_leaves_group(exercise):
    async with Room(exercise) as room:
        ann = await room.join("lobby", "ann")
        bob = await room.join("lobby", "bob")
        await heard(ann)
        await room.leave(bob)
        await heard(ann)
        members = room.members("lobby")
        assert members == 1, f"after bob left, the group chat_lobby still holds {members} channels, not 1"


@check("another room hears none of it",
       hint="send to self.room_group_name (chat_<room>), never to a fixed group name")
async def other_rooms_hear_nothing(exercise):
    async with Room(exercise) as room:
        cat = await room.join("kitchen", "cat")
        await heard(cat)
        ann = await room.join("lobby", "ann")
        bob = await room.join("lobby", "bob")
        await ann.send_json_to(said("hello"))
        await room.leave(bob)
        await heard(ann)
        got = await heard(cat)
        assert got == [], f"cat, in the kitchen, heard {got} from the lobby"
