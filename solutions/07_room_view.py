### BEGIN SOLUTION
"""Solution to exercise 07 · a room page only for rooms the chat can open."""
### EXERCISE
# r"""Exercise 07 · a room page only for rooms the chat can open.
#
# The project's room view serves a page for any name, because its URL pattern
# is `<str:room_name>/`. The WebSocket route only accepts word characters:
#
#     re_path(r'ws/chat/(?P<room_name>\w+)/$', consumers.RoomConsumer.as_asgi())
#
# so `/chat/my-room/` loads a page whose socket the server refuses. Make the
# view answer 404 for every name the route would refuse, and render the room
# page (as the project's view does) for every name it accepts.
#
# Run the check cell in lesson 07 (or `python -m coursekit check 07_room_view`).
# """
### END SOLUTION

import re  ### EXERCISE: import re  # noqa: F401  (you will need it)

from django.http import Http404  ### EXERCISE: from django.http import Http404  # noqa: F401  (and this)
from django.shortcuts import render


def room(request, room_name):
    r"""The room page, for room names the WebSocket route accepts (\w+)."""
    ### BEGIN SOLUTION
    # fullmatch, not match(r'\w+$'): '$' also matches before a final newline.
    if not re.fullmatch(r'\w+', room_name):
        raise Http404('A room name is made of letters, digits and underscores.')
    ### EXERCISE
    # # TODO: raise Http404 when room_name is not made of word characters only,
    # #       then delete the line below. Careful: the whole name must match.
    # raise NotImplementedError("room does not look at the room name yet")
    ### END SOLUTION
    return render(request, 'chat/room.html', {'room_name': room_name})
