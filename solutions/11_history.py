### BEGIN SOLUTION
"""Solution to exercise 11 · reading the chat's history with the async ORM."""
### EXERCISE
# """Exercise 11 · reading the chat's history with the async ORM.
#
# The lesson's ``RoomConsumer`` replays a room's last messages to a newcomer.
# Write two async helpers a consumer (or any async view) could await, with the
# async ORM: ``acount()``, ``acreate()``, ``aget()``, ``async for`` over a
# queryset. A plain ``Message.objects.filter(...)`` is fine to *build*: a
# queryset runs no query until it is iterated, counted or sliced with a step.
#
# ``Message`` is the lesson's model (room, user, text, created; ordered by
# created, then id). The check gives this file its own copy of
# ``chat.models``, backed by an in-memory SQLite database, so it works whatever
# state your course project is in.
#
# Fill in the two TODOs, then run the check cell in lesson 11
# (or `python -m coursekit check 11_history` in a terminal).
# """
### END SOLUTION

from chat.models import Message  ### EXERCISE: from chat.models import Message  # noqa: F401  (you will need it)


async def recent_messages(room, limit=20):
    """The last ``limit`` messages of ``room``, as a list of Message, oldest first."""
    ### BEGIN SOLUTION
    newest = Message.objects.filter(room=room).order_by('-created', '-id')[:limit]
    return [message async for message in newest][::-1]
    ### EXERCISE
    # # TODO: the room's newest ``limit`` messages (order_by('-created', '-id'),
    # #       then a slice), read with `async for`, returned oldest first.
    # raise NotImplementedError("recent_messages reads nothing yet")
    ### END SOLUTION


async def search(room, word):
    """The texts of ``room``'s messages that contain ``word`` (in any case), oldest first."""
    ### BEGIN SOLUTION
    found = Message.objects.filter(room=room, text__icontains=word)
    return [text async for text in found.values_list('text', flat=True)]
    ### EXERCISE
    # # TODO: filter the room's messages with text__icontains and return their
    # #       texts as a list of str, in the model's order (oldest first).
    # raise NotImplementedError("search finds nothing yet")
    ### END SOLUTION
