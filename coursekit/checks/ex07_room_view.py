"""Checks for exercises/07_room_view.py: the room page serves only rooms the chat can open (chat/rooms.py)."""

from coursekit.checking import check, configure_django

TITLE = "a room page only for rooms the chat can open"

# The project's room.html, reduced to the line that uses the view's context.
ROOM_TEMPLATE = '{{ room_name|json_script:"room-name" }}'


def prepare():
    configure_django(
        channel_layer="none",
        TEMPLATES=[{
            "BACKEND": "django.template.backends.django.DjangoTemplates",
            "OPTIONS": {"loaders": [("django.template.loaders.locmem.Loader",
                                     {"chat/room.html": ROOM_TEMPLATE})]},
        }],
    )


def status_of(exercise, room_name):
    """The status the view gives ``room_name`` (404 when it raises Http404), and the page."""
    from django.http import Http404
    from django.test import RequestFactory

    request = RequestFactory().get("/chat/room/")
    try:
        response = exercise.room(request, room_name)
    except Http404:
        return 404, ""
    return response.status_code, response.content.decode()


@check("a name the chat can open gets the room page",
       hint="render chat/room.html with {'room_name': room_name}, as the project's view does")
def accepted_names_render(exercise):
    for name in ["lobby", "Room_42", "x" * 80]:
        status, page = status_of(exercise, name)
        assert status == 200, f"room(request, {name!r}) answered {status}, not 200"
        expected = f'<script id="room-name" type="application/json">"{name}"</script>'
        assert expected in page, f"the page for {name!r} does not hold the room name from json_script"


@check("a name with other characters than letters, digits and _ gets 404",
       hint=r"raise Http404 unless the whole name matches r'[A-Za-z0-9_]+' (re.fullmatch)",
       names=["my-room", "two words", "a.b", "<b>hi"])
@check("a name with a non-ASCII letter gets 404",
       hint=r"\w matches any Unicode letter (é, ß, 日): spell the class out, [A-Za-z0-9_]",
       names=["café", "straße", "日本"])
@check("a name of more than 80 characters gets 404",
       hint="chat_ + the name must stay under Channels' 100-character limit: at most 80 characters",
       names=["x" * 81, "x" * 100])
@check("a name ending in a newline gets 404 too",
       hint=r"in re.match(r'[A-Za-z0-9_]+$', ...) the '$' also matches before a final newline; use re.fullmatch",
       names=["lobby\n"])
def refused_names_404(exercise, names):
    for name in names:
        status, _ = status_of(exercise, name)
        assert status == 404, f"room(request, {name!r}) answered {status}, not 404"
