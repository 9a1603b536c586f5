"""Exercise 11 · reading the chat's history with the async ORM (a solution)."""

from chat.models import Message


async def recent_messages(room, limit=20):
    """The last ``limit`` messages of ``room``, as a list of Message, oldest first."""
    newest = Message.objects.filter(room=room).order_by('-created', '-id')[:limit]
    return [message async for message in newest][::-1]


async def search(room, word):
    """The texts of ``room``'s messages that contain ``word`` (in any case), oldest first."""
    found = Message.objects.filter(room=room, text__icontains=word)
    return [text async for text in found.values_list('text', flat=True)]
