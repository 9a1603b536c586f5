"""Solution to exercise 02 · broadcast to a group through the channel layer."""


async def broadcast(layer, group: str, channel_names: list[str], text: str) -> dict[str, dict]:
    """Put ``channel_names`` in ``group``, group_send one chat message, return what each received."""
    for name in channel_names:
        await layer.group_add(group, name)
    await layer.group_send(group, {"type": "chat.message", "message": text})
    return {name: await layer.receive(name) for name in channel_names}
