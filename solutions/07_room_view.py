"""Solution to exercise 07 · a room page only for rooms the chat can open."""

import re

from django.http import Http404
from django.shortcuts import render


def room(request, room_name):
    r"""The room page, for room names the WebSocket route accepts (\w+)."""
    # fullmatch, not match(r'\w+$'): '$' also matches before a final newline.
    if not re.fullmatch(r'\w+', room_name):
        raise Http404('A room name is made of letters, digits and underscores.')
    return render(request, 'chat/room.html', {'room_name': room_name})
