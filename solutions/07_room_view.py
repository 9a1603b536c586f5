### BEGIN SOLUTION
"""Solution to exercise 07 · a room page only for rooms the chat can open."""
### EXERCISE
# """Exercise 07 · a room page only for rooms the chat can open.
#
# The project's room view serves a page for any name, because its URL pattern
# is `<str:room_name>/`. The chat opens only the rooms that chat/rooms.py
# (lesson 06) accepts: ASCII letters, digits and _, at most 80 of them:
#
#     MAX_LENGTH = 80
#     _VALID = re.compile(r"[A-Za-z0-9_]+")
#
# so `/chat/my-room/` or `/chat/café/` loads a page whose socket the server
# refuses. Make the view answer 404 for every name the chat cannot open, and
# render the room page (as the project's view does) for every other one.
#
# Run the check cell in lesson 07 (or `python -m coursekit check 07_room_view`).
# """
### END SOLUTION

import re  ### EXERCISE: import re  # noqa: F401  (you will need it)

from django.http import Http404  ### EXERCISE: from django.http import Http404  # noqa: F401  (and this)
from django.shortcuts import render

MAX_LENGTH = 80  # as in chat/rooms.py: "chat_" + 80 characters stays under Channels' limit of 100


def room(request, room_name):
    """The room page, for the room names the chat can open (the rule of chat/rooms.py)."""
    ### BEGIN SOLUTION
    # [A-Za-z0-9_], not \w: \w matches any Unicode letter, and group names must be ASCII.
    # fullmatch, not match(r'...$'): '$' also matches before a final newline.
    if len(room_name) > MAX_LENGTH or not re.fullmatch(r'[A-Za-z0-9_]+', room_name):
        raise Http404('No room of that name can be opened.')
    ### EXERCISE
    # # TODO: raise Http404 when room_name is not a name the chat can open,
    # #       then delete the line below. Careful: \w matches any Unicode letter,
    # #       and the whole name must match.
    # raise NotImplementedError("room does not look at the room name yet")
    ### END SOLUTION
    return render(request, 'chat/room.html', {'room_name': room_name})
