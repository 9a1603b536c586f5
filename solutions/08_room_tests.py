### BEGIN SOLUTION
"""Solution to exercise 08 · tests that can fail."""
### EXERCISE
# """Exercise 08 · tests that can fail.
#
# A test is worth something only if it fails when the code is wrong. Write the
# tests of RoomTests below, in the style of the lesson's chat/tests/test_rooms.py.
# The check runs them twice over:
#
# - against the lesson's RoomConsumer, where every one of them must pass;
# - against five broken room consumers, where each must make at least one of
#   your tests fail (or raise). A broken consumer that passes all your tests is
#   a bug your suite would let through.
#
# The five broken consumers:
#
# 1. one answers only the sender: nobody else in the room hears the message;
# 2. one leaves the sender out: the others hear the message, the sender does not;
# 3. one puts every room into the same group: the kitchen hears the lobby;
# 4. one kept lesson 04's echo next to the broadcast: the sender hears every
#    message twice;
# 5. one cuts long messages short, though the chat must carry a message of
#    4,000 characters whole.
#
# The lesson's three tests catch the first three. The last two need tests of
# your own.
#
# `application` is the consumer under test behind the chat's route
# ws/chat/<room_name>/: the check sets it to each consumer in turn, and `join`
# connects a client through it. Run the check in lesson 08, or
# `python -m coursekit check 08_room_tests` in a terminal.
# """
### END SOLUTION

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
    ### BEGIN SOLUTION
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
    ### EXERCISE
    # # TODO: replace this method with your tests: methods named test_..., each an
    # # `async def` that connects clients with `await join(room)`, talks, checks
    # # what arrives, and disconnects every client at the end.
    # async def test_something(self):
    #     raise NotImplementedError('RoomTests has no tests yet')
    ### END SOLUTION
