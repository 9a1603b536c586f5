"""Solution to exercise 01 · daphne and channels in INSTALLED_APPS."""


def channels_ready(installed_apps: list[str]) -> list[str]:
    others = [app for app in installed_apps if app not in ("daphne", "channels")]
    return ["daphne", *others, "channels"]
