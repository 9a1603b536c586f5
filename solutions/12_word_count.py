"""Solution to exercise 12 · a worker that counts words."""

from channels.consumer import AsyncConsumer


def describe(count):
    """ "1 word", "2 words", "0 words": the count as the room reads it."""
    return f"{count} word" if count == 1 else f"{count} words"


class WordCountConsumer(AsyncConsumer):
    """Counts the words of a job's text and says the result in the job's room."""

    async def count_words(self, event):
        count = len(event['text'].split())
        await self.channel_layer.group_send(
            f"chat_{event['room']}",
            {'type': 'chat_message', 'message': describe(count), 'user': 'words'},
        )
