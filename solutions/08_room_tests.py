"""Solution to exercise 08 · tests that can fail."""

from channels.testing import WebsocketCommunicator
from django.test import SimpleTestCase, override_settings

IN_MEMORY_LAYER = {'default': {'BACKEND': 'channels.layers.InMemoryChannelLayer'}}

# The check sets this to the consumer it tries, behind the route ws/chat/<room_name>/.
application = None


async def join(room):
    """A client connected to ``room``."""
    communicator = WebsocketCommunicator(application, f'/ws/chat/{room}/')
    connected, _ = await communicator.connect()
    assert connected, f'could not join {room}'
    return communicator


@override_settings(CHANNEL_LAYERS=IN_MEMORY_LAYER)
class RoomTests(SimpleTestCase):
    async def test_the_sender_hears_its_own_message_once(self):
        # Catches "leaves the sender out" (nothing arrives) and "echo kept" (a second copy waits).
        ann = await join('lobby')
        await ann.send_json_to({'message': 'hello'})
        self.assertEqual((await ann.receive_json_from())['message'], 'hello')
        self.assertTrue(await ann.receive_nothing())
        await ann.disconnect()

    async def test_everyone_in_the_room_hears_it(self):
        # Catches "answers only the sender": bob waits in vain.
        ann, bob = await join('lobby'), await join('lobby')
        await ann.send_json_to({'message': 'hello, room'})
        self.assertEqual((await ann.receive_json_from())['message'], 'hello, room')
        self.assertEqual((await bob.receive_json_from())['message'], 'hello, room')
        await ann.disconnect()
        await bob.disconnect()

    async def test_another_room_hears_nothing(self):
        # Catches "one group for every room".
        ann, cat = await join('lobby'), await join('kitchen')
        await ann.send_json_to({'message': 'lobby only'})
        await ann.receive_json_from()  # once ann has it, the layer has delivered it everywhere
        self.assertTrue(await cat.receive_nothing())
        await ann.disconnect()
        await cat.disconnect()

    async def test_a_message_of_4000_characters_arrives_whole(self):
        # Catches "cuts long messages short".
        ann, bob = await join('lobby'), await join('lobby')
        text = 'x' * 4000
        await ann.send_json_to({'message': text})
        self.assertEqual((await bob.receive_json_from())['message'], text)
        await ann.disconnect()
        await bob.disconnect()
