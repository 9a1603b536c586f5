"""A disk cache for work whose result depends only on its inputs, shared by every process.

Two things the course does again and again cost a Python process each time:
``django-admin startproject`` (the start project every setup, ``serve`` and
``reset`` derives from) and ``manage.py migrate`` on a fresh database (every
lesson with a database, every ``serve``). Their results depend only on the
inputs named in the key (the files, Django's version), so they are computed
once, kept under ``.course/cache/`` (or ``$COURSE_CACHE_DIR``) and copied
from there. An entry is written to a temporary name and renamed into place,
so processes that fill the same entry at once never read half of one.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path

from . import paths


def folder() -> Path:
    """``$COURSE_CACHE_DIR`` or ``.course/cache/`` in the checkout (not moved with the state folder)."""
    path = Path(os.environ.get("COURSE_CACHE_DIR") or paths.REPO / ".course" / "cache")
    path.mkdir(parents=True, exist_ok=True)
    return path


def key(*parts: object) -> str:
    """A short, stable name for ``parts`` (any JSON-serialisable values)."""
    text = json.dumps(parts, sort_keys=True, ensure_ascii=True)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def entry(kind: str, name: str, suffix: str) -> Path:
    return folder() / kind / f"{name}{suffix}"


def read_json(kind: str, name: str):
    """The JSON value kept under ``kind``/``name``, or None when there is none (or it cannot be read)."""
    try:
        return json.loads(entry(kind, name, ".json").read_text())
    except (OSError, ValueError):
        return None


def write_json(kind: str, name: str, value) -> None:
    target = entry(kind, name, ".json")
    _publish(target, lambda scratch: scratch.write_text(json.dumps(value)))


def copy_out(kind: str, name: str, suffix: str, to: Path) -> bool:
    """Copy the cached file to ``to``; False when there is none."""
    source = entry(kind, name, suffix)
    try:
        shutil.copyfile(source, to)
    except FileNotFoundError:
        return False
    return True


def copy_in(kind: str, name: str, suffix: str, source: Path) -> None:
    """Keep a copy of ``source`` under ``kind``/``name``."""
    _publish(entry(kind, name, suffix), lambda scratch: shutil.copyfile(source, scratch))


def _publish(target: Path, fill) -> None:
    """Fill a temporary file beside ``target``, then rename it into place; a cache that cannot be written is skipped."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, scratch = tempfile.mkstemp(dir=target.parent, prefix=".filling-")
        os.close(handle)
        try:
            fill(Path(scratch))
            os.replace(scratch, target)
        finally:
            if os.path.exists(scratch):
                os.unlink(scratch)
    except OSError:
        pass  # a read-only checkout: the work is done again next time, nothing is lost
