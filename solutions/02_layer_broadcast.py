### BEGIN SOLUTION
"""Solution to exercise 02 · broadcast to a group through the channel layer."""
### EXERCISE
# """Exercise 02 · broadcast to a group through the channel layer.
#
# A chat room is a group: each consumer in the room adds its channel name to
# the group, and one ``group_send`` reaches every one of them. Write
# ``broadcast`` so that it does the whole round trip with a real channel layer:
#
# 1. add every name in ``channel_names`` to ``group`` (``layer.group_add``);
# 2. send the group one message, ``{"type": "chat.message", "message": text}``,
#    with a single ``layer.group_send`` (not one ``send`` per channel);
# 3. receive one message on each channel (``layer.receive``) and return them
#    as a dict: ``{channel name: the message that channel received}``.
#
# The checks call it with the Redis channel layer, so it runs against a real
# Redis-protocol server. Run the check cell in lesson 02 (or
# ``python -m coursekit check 02_layer_broadcast`` in a terminal).
# """
### END SOLUTION


async def broadcast(layer, group: str, channel_names: list[str], text: str) -> dict[str, dict]:
    """Put ``channel_names`` in ``group``, group_send one chat message, return what each received."""
    ### BEGIN SOLUTION
    for name in channel_names:
        await layer.group_add(group, name)
    await layer.group_send(group, {"type": "chat.message", "message": text})
    return {name: await layer.receive(name) for name in channel_names}
    ### EXERCISE
    # # TODO 1: add each channel name to the group
    # # TODO 2: group_send {"type": "chat.message", "message": text} to the group, once
    # # TODO 3: receive one message on each channel and return {name: message}
    # raise NotImplementedError("broadcast is not written yet")
    ### END SOLUTION
