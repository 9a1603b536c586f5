"""How a check process tells the process that started it what happened.

The checks run in a child process that also imports the learner's file, and that
file may print anything, to stdout or to stderr, even text that looks like a
result. So results never travel on stdout. The parent passes the child a pipe of
their own (a file descriptor, see ``subprocess.Popen(pass_fds=...)``); the child
writes one message per line on it, each line starting with a token made for
this run alone and handed over in the environment (the child removes it from
``os.environ`` before the learner's file runs). A line without the token is not
a message: even a deliberate write to that pipe is ignored.

Beside the pipe, a small shared file, the *slot*, holds the line of the learner's
file that the child is running. A trace function in the child keeps it up to
date, and the parent reads it after it had to stop a child that ran out of time,
or after the child ended where it should not have: a child stuck in a loop can
no longer say anything, but its slot still can.

This module is the format of both, and nothing else: no processes, no I/O
beyond the slot's few bytes.
"""

from __future__ import annotations

import json
import os
import secrets
import struct

TOKEN_ENV = "COURSEKIT_CHECK_TOKEN"
SLOT_SIZE = 8
_LINE = struct.Struct("<I")


def new_token() -> str:
    return secrets.token_hex(16)


def encode(token: str, message: dict) -> bytes:
    """One line of the channel: the token, a space, the message as ASCII JSON."""
    return f"{token} {json.dumps(message, ensure_ascii=True)}\n".encode("ascii")


def printable(value):
    """``value`` with every string made printable (a lone surrogate becomes ``\\ud800``)."""
    if isinstance(value, str):
        return value.encode("utf-8", "backslashreplace").decode("utf-8")
    if isinstance(value, dict):
        return {key: printable(item) for key, item in value.items()}
    if isinstance(value, list):
        return [printable(item) for item in value]
    return value


class Reader:
    """Turns the bytes read from the channel into messages; ignores every line without the token."""

    def __init__(self, token: str):
        self.prefix = f"{token} ".encode("ascii")
        self.pending = b""
        self.ignored = 0  # lines that were not messages of this run

    def feed(self, data: bytes) -> list[dict]:
        self.pending += data
        *lines, self.pending = self.pending.split(b"\n")
        messages = []
        for line in lines:
            message = self.decode(line)
            if message is None:
                self.ignored += 1
            else:
                messages.append(message)
        return messages

    def decode(self, line: bytes) -> dict | None:
        if not line.startswith(self.prefix):
            return None
        try:
            message = json.loads(line[len(self.prefix):])
        except ValueError:
            return None
        if not isinstance(message, dict) or not isinstance(message.get("event"), str):
            return None
        return printable(message)


def write_slot(slot, line: int) -> None:
    """Record ``line`` in the slot (an ``mmap`` of the shared file)."""
    _LINE.pack_into(slot, 0, line)


def read_slot(fd: int) -> int:
    """The line recorded in the shared file ``fd`` (0: none)."""
    data = os.pread(fd, _LINE.size, 0)
    return _LINE.unpack(data)[0] if len(data) == _LINE.size else 0
