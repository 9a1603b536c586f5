### BEGIN SOLUTION
"""Solution to exercise 12 · a worker that counts words."""
### EXERCISE
# """Exercise 12 · a worker that counts words.
#
# Lesson 12's RoomStatsConsumer runs in `manage.py runworker chat-stats` and
# answers jobs sent to its channel. Write a second worker like it, for the
# channel "word-count". Its jobs look like this:
#
#     {"type": "count.words", "room": "lobby", "text": "Doors close at six"}
#
# For each job, say in the room (the group chat_<room>) how many words the text
# has, as "words", the way RoomStatsConsumer speaks as "stats":
#
#     {"type": "chat_message", "message": "4 words", "user": "words"}
#
# Words are what str.split() finds: "  big   news\n" has 2 words. One word is
# "1 word"; no words at all is "0 words".
#
# Fill in the TODO, then run the check cell in lesson 12
# (or `python -m coursekit check 12_word_count` in a terminal).
# """
### END SOLUTION

import re

from channels.consumer import AsyncConsumer

ROOM_NAME = re.compile(r"[A-Za-z0-9_]{1,80}")  # chat/rooms.py's rule (lesson 06): this file cannot import the project


def describe(count):
    """ "1 word", "2 words", "0 words": the count as the room reads it."""
    ### BEGIN SOLUTION
    return f"{count} word" if count == 1 else f"{count} words"
    ### EXERCISE
    # # TODO: return the count with "word" or "words".
    # raise NotImplementedError("describe does not say the count yet")
    ### END SOLUTION


class WordCountConsumer(AsyncConsumer):
    """Counts the words of a job's text and says the result in the job's room."""

    ### BEGIN SOLUTION
    async def count_words(self, event):
        room = event['room']
        if not ROOM_NAME.fullmatch(room):
            return  # a room the chat cannot open: skip the job, never crash the worker
        count = len(event['text'].split())
        await self.channel_layer.group_send(
            f"chat_{room}",
            {'type': 'chat_message', 'message': describe(count), 'user': 'words'},
        )
    ### EXERCISE
    # # TODO: a handler for the job type "count.words" (which method name does
    # #       Channels call for it?): count the words of event['text'], then
    # #       group_send the result to the room's group, as "words". Skip a job
    # #       whose room ROOM_NAME refuses (return without sending).
    ### END SOLUTION
