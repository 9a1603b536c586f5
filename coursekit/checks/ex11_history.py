"""Checks for exercises/11_history.py: the room's history, read with the async ORM.

The checks run in their own process, inside an event loop, exactly where a
consumer's code runs: a sync ORM call there raises SynchronousOnlyOperation.
The exercise imports ``chat.models.Message``; ``prepare()`` (which runs before
the event loop starts) configures Django with an in-memory SQLite database,
defines that model with the lesson's fields and creates its table. Each check
writes its own rows, with distinct ``created`` times, first.
"""

import sys
import types
from datetime import UTC, datetime, timedelta

from coursekit.checking import check, configure_django

TITLE = "the room's history, with the async ORM"

# Shared-cache in-memory SQLite: the threads sync_to_async uses see the same tables.
DATABASE = {"ENGINE": "django.db.backends.sqlite3", "NAME": "file:ex11_history?mode=memory&cache=shared"}
START = datetime(2024, 1, 1, 12, 0, tzinfo=UTC)

Message = None


def prepare():
    """Django, a ``chat.models`` module with the lesson's Message model, and its table."""
    global Message
    configure_django(channel_layer="none", DATABASES={"default": DATABASE})
    from django.db import connection, models

    class Message(models.Model):  # the lesson's chat/models.py
        room = models.CharField(max_length=100, db_index=True)
        user = models.CharField(max_length=150)
        text = models.TextField()
        created = models.DateTimeField(auto_now_add=True)

        class Meta:
            app_label = "chat"
            ordering = ["created", "id"]

    chat = types.ModuleType("chat")
    chat.models = types.ModuleType("chat.models")
    chat.models.Message = Message
    sys.modules["chat"], sys.modules["chat.models"] = chat, chat.models
    with connection.schema_editor() as editor:
        editor.create_model(Message)


async def given(*rows):
    """An empty table, then ``rows`` (room, user, text), each a minute after the one before."""
    await Message.objects.all().adelete()
    for minute, (room, user, text) in enumerate(rows):
        message = await Message.objects.acreate(room=room, user=user, text=text)
        # auto_now_add ignores a value given to create(): set the time afterwards.
        await Message.objects.filter(pk=message.pk).aupdate(created=START + timedelta(minutes=minute))


def texts_of(result, call):
    assert isinstance(result, list), f"{call} returned {type(result).__name__}, not a list"
    for item in result:
        assert isinstance(item, Message), f"{call} returned a list holding {item!r}, not Message objects"
    return [message.text for message in result]


@check("recent_messages gives a room's messages, oldest first",
       hint="[m async for m in queryset]: a plain for loop, list() or len() would run a sync query")
async def recent_in_order(exercise):
    await given(("lobby", "ann", "one"), ("kitchen", "cat", "meow"), ("lobby", "bob", "two"),
                ("lobby", "ann", "three"))
    got = texts_of(await exercise.recent_messages("lobby"), 'recent_messages("lobby")')
    assert got == ["one", "two", "three"], f'recent_messages("lobby") gave {got}, not ["one", "two", "three"]'
    got = texts_of(await exercise.recent_messages("garden"), 'recent_messages("garden")')
    assert got == [], f'recent_messages("garden") gave {got} for a room nobody spoke in, not []'


@check("recent_messages keeps only the last `limit` messages",
       hint="order_by('-created', '-id')[:limit] takes the newest; reverse the list to put the oldest first")
async def recent_is_bounded(exercise):
    await given(*[("lobby", "ann", str(number)) for number in range(8)], ("kitchen", "cat", "meow"))
    got = texts_of(await exercise.recent_messages("lobby", 3), 'recent_messages("lobby", 3)')
    assert got == ["5", "6", "7"], f'recent_messages("lobby", 3) gave {got}, not ["5", "6", "7"]'
    got = texts_of(await exercise.recent_messages("lobby", limit=20), 'recent_messages("lobby", limit=20)')
    assert len(got) == 8, f'recent_messages("lobby", limit=20) gave {len(got)} messages, not the room\'s 8'


@check("search finds the room's texts with the word, in any case, oldest first",
       hint="filter(room=room, text__icontains=word), then [t async for t in qs.values_list('text', flat=True)]")
async def search_finds(exercise):
    await given(("lobby", "ann", "Hello, everyone"), ("lobby", "bob", "hi ann"),
                ("kitchen", "cat", "hello from the kitchen"), ("lobby", "ann", "Well, HELLO bob"))
    got = await exercise.search("lobby", "hello")
    expected = ["Hello, everyone", "Well, HELLO bob"]
    assert got == expected, f'search("lobby", "hello") gave {got!r}, not {expected!r}'
    got = await exercise.search("lobby", "goodbye")
    assert got == [], f'search("lobby", "goodbye") gave {got!r}, not []'
