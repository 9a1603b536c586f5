"""Checks for exercises/10_room_access.py: rooms named staff_… let only staff in.

The learner's consumer runs for real, in this process, behind the lesson's
route ``ws/chat/<room_name>/``, on Channels' in-memory layer. The users are
real too: Django's ``AnonymousUser``, and two rows of an in-memory SQLite
database, ada (staff) and bob (logged in, not staff). Each visit puts one of
them into the scope, where AuthMiddlewareStack would put it, and knocks with
WebsocketCommunicator.
"""

from coursekit.checking import check, configure_django
from coursekit.checks._support import QUIET, chat_application, close_quietly, empty_layer, members, next_output

TITLE = "rooms for staff only"

ANSWER_TIMEOUT = 3.0  # seconds a consumer has to accept or refuse a handshake
# Shared-cache in-memory SQLite: every thread that opens it sees the same tables.
DATABASE = {"ENGINE": "django.db.backends.sqlite3", "NAME": "file:ex10_room_access?mode=memory&cache=shared"}


def prepare():
    configure_django(channel_layer="memory", DATABASES={"default": DATABASE})


_database_ready = False


async def user(name):
    """``AnonymousUser()`` for "anonymous"; otherwise the User row named ``name`` (ada or bob)."""
    global _database_ready
    from asgiref.sync import sync_to_async
    from django.contrib.auth.models import AnonymousUser, User
    from django.core.management import call_command

    if name == "anonymous":
        return AnonymousUser()
    if not _database_ready:
        await sync_to_async(call_command)("migrate", verbosity=0)
        await User.objects.acreate(username="ada", is_staff=True)
        await User.objects.acreate(username="bob", is_staff=False)
        _database_ready = True
    return await User.objects.aget(username=name)


class Visit:
    """One client knocking at a room's door, and what came of it."""

    def __init__(self, exercise, who, room):
        self.exercise, self.who, self.room = exercise, who, room
        self.admitted = False
        self.close_code = None  # the code of a close after accept()
        self.outcome = ""

    async def __aenter__(self):
        from channels.testing import WebsocketCommunicator

        self.layer = await empty_layer()
        application = chat_application(self.exercise.GuardedRoomConsumer)
        self.client = WebsocketCommunicator(application, f"/ws/chat/{self.room}/")
        self.client.scope["user"] = await user(self.who)
        await self.client.send_input({"type": "websocket.connect"})
        # The consumer's first answer (accept or close), as soon as it gives one; its error if it crashes.
        answer = await next_output(self.client, ANSWER_TIMEOUT)
        if answer is None:
            raise AssertionError(f"{self.who} knocked at {self.room} and got no answer (is accept() awaited?)")
        if answer["type"] == "websocket.close":
            self.outcome = ("refused at the handshake (a close before accept(): daphne answers HTTP 403, "
                            "and the client never sees a close code)")
        elif answer["type"] != "websocket.accept":
            self.outcome = f"answered the handshake with {answer['type']} instead of accepting or closing"
        elif await self.client.receive_nothing(timeout=QUIET):
            self.admitted = True
            self.outcome = "admitted"
        else:
            output = await self.client.receive_output()
            if output["type"] == "websocket.close":
                self.close_code = output.get("code", 1000)
                self.outcome = f"accepted, then closed with code {self.close_code}"
            else:
                self.outcome = f"accepted, then sent {output.get('text', output)}"
        return self

    async def __aexit__(self, *exc):
        await close_quietly(self.client)
        return False

    def members(self):
        """How many channels the room's group holds."""
        return members(self.layer, self.room)


@check("everyone may enter an ordinary room",
       hint="only names that start with staff_ are guarded (str.startswith); every other room is open")
async def ordinary_rooms_are_open(exercise):
    for who, room in [("anonymous", "lobby"), ("bob", "lobby"), ("anonymous", "my_staff_notes")]:
        async with Visit(exercise, who, room) as visit:
            assert visit.admitted, f"{who} knocked at {room} and was {visit.outcome}, not admitted"


@check("staff enter a staff_ room, and are named there",
       hint="may_enter: a staff user (user.is_staff) may enter a staff_ room")
async def staff_enter(exercise):
    async with Visit(exercise, "ada", "staff_lounge") as visit:
        assert visit.admitted, f"ada (staff) knocked at staff_lounge and was {visit.outcome}, not admitted"
        await visit.client.send_json_to({"message": "hello"})
        got = await visit.client.receive_json_from()
        expected = {"message": "hello", "user": "ada"}
        assert got == expected, f'ada said "hello" in staff_lounge and heard {got}, not {expected}'


@check("an anonymous client is turned away from a staff_ room with code 4403",
       hint="when may_enter says no: await self.accept(), then await self.close(code=FORBIDDEN), then return",
       who="anonymous", described="anonymous")
@check("a logged-in user who is not staff is turned away too",
       hint="being logged in (is_authenticated) is not enough: the user must be staff (is_staff)",
       who="bob", described="bob (logged in, not staff)")
async def turned_away(exercise, who, described):
    async with Visit(exercise, who, "staff_lounge") as visit:
        assert visit.close_code == 4403, f"{described} knocked at staff_lounge and was {visit.outcome}"


@check("a client turned away never joins the room's group",
       hint="decide before group_add: return right after close(), so the room's messages never reach it")
async def turned_away_not_in_group(exercise):
    async with Visit(exercise, "anonymous", "staff_lounge") as visit:
        assert not visit.admitted, f"anonymous knocked at staff_lounge and was {visit.outcome}"
        members = visit.members()
        assert members == 0, f"anonymous was turned away, yet chat_staff_lounge holds {members} channel(s)"
