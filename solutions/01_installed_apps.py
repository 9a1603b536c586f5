### BEGIN SOLUTION
"""Solution to exercise 01 · daphne and channels in INSTALLED_APPS."""
### EXERCISE
# """Exercise 01 · daphne and channels in INSTALLED_APPS.
#
# Write ``channels_ready(installed_apps)``: given a project's INSTALLED_APPS,
# return a NEW list that Channels is happy with:
#
# - "daphne" comes before "django.contrib.staticfiles" (put it first);
# - "channels" is in the list exactly once (at the end is fine);
# - every other app stays, in its order;
# - calling it again on its own result changes nothing, and a list with
#   "daphne" in the wrong place gets it moved.
#
# Check it with the cell in lesson 01, or `python -m coursekit check 01_installed_apps`.
# """
### END SOLUTION


def channels_ready(installed_apps: list[str]) -> list[str]:
    ### BEGIN SOLUTION
    others = [app for app in installed_apps if app not in ("daphne", "channels")]
    return ["daphne", *others, "channels"]
    ### EXERCISE
    # # TODO: build and return the new list; don't modify installed_apps itself
    # raise NotImplementedError("channels_ready is not written yet")
    ### END SOLUTION
