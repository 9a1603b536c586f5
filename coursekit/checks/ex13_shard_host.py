"""Checks for exercises/13_shard_host.py: the Redis host that holds a group's or a process's key.

The answers come from channels_redis itself: a RedisChannelLayer built over the
same hosts (building one connects to nothing) and its consistent_hash(), as
group_add() and receive() use it.
"""

from coursekit.checking import check

TITLE = "which Redis server holds a key"

GROUPS = ["chat_lobby", "chat_kitchen", "chat_garden", "chat_north", "chat_south", "chat_east",
          "chat_west", "chat_attic", "chat_x", "chat_Room_42", "chat_" + "z" * 80]
CHANNELS = ["specific.0f3c9a2be1d84c7fb2a6d5e4c3b2a190!5d1e7c2a9b8f4e3d",
            "specific.9a8b7c6d5e4f30211203f4e5d6c7b8a9!0123456789abcdef",
            "specific.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!ffffffffffffffff",
            "specific.c0ffee00c0ffee00c0ffee00c0ffee00!42"]


def hosts(count):
    return [f"redis://redis-{number}.example:6379/0" for number in range(1, count + 1)]


def expected(name, urls):
    """The host channels_redis picks for ``name`` (a group, or a process's channel by its part up to "!")."""
    from channels_redis.core import RedisChannelLayer

    layer = RedisChannelLayer(hosts=urls)
    key = layer.non_local_name(name) if "!" in name else name
    return urls[layer.consistent_hash(key)]


def compare(exercise, names, urls):
    for name in names:
        want = expected(name, urls)
        got = exercise.host_for(name, list(urls))
        assert got == want, (f"host_for({name[:24]!r}, {len(urls)} hosts) returned {got!r}; "
                             f"channels_redis keeps it on {want!r}")


@check("with one host, every key is on it",
       hint="one host takes everything: return hosts[0]", count=1)
@check("with two hosts, each group is where channels_redis keeps it",
       hint="binascii.crc32(name.encode('utf8')) & 0xFFF, then int(number / (4096 / len(hosts)))", count=2)
@check("with three hosts too",
       hint="the slices are 4096 / len(hosts) wide; int() rounds down to the slice's index", count=3)
def groups(exercise, count):
    compare(exercise, GROUPS, hosts(count))


@check("a process's channel is placed by its part up to and including the '!'",
       hint='hash name[:name.index("!") + 1] when the name holds a "!", as receive() does')
def process_channels(exercise):
    for count in (2, 3):
        compare(exercise, CHANNELS, hosts(count))
