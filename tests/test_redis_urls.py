"""COURSE_REDIS_URL with a password, an ACL user, a database number or TLS, against a real redis-server.

Each test starts its own ``redis-server`` (Debian's, which is built with TLS)
on a free loopback port through ``coursekit.processes``, so it dies with the
test run however that ends. ``.ci/run`` installs it; with CI=true a missing
``redis-server`` fails these tests instead of skipping them.

Every test also checks the other promise: the password appears in nothing the
course prints (doctor, serve, errors, daphne's log).
"""

import asyncio
import datetime
import ipaddress
import json
import os
import shutil
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest
import websockets

from coursekit import lessons, paths, processes
from coursekit import redis as course_redis
from coursekit.errors import CourseError

REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"
PASSWORD = "Pw-7f3kZq9-secret"  # distinctive, so a leak cannot hide in ordinary text
ALICE_PASSWORD = "al1ce-S3cret-x"
DAVE_PASSWORD = "d@ve:pa/ss?w#rd"  # every character a URL needs escaped
DAVE_ESCAPED = quote(DAVE_PASSWORD, safe="")
SECRETS = (PASSWORD, ALICE_PASSWORD, DAVE_PASSWORD, DAVE_ESCAPED)


def require_redis_server() -> str:
    if os.path.exists(REDIS_SERVER) and os.access(REDIS_SERVER, os.X_OK):
        return REDIS_SERVER
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"redis-server is missing at {REDIS_SERVER}; .ci/run installs it "
                    "(apt-get install -y redis-server).")
    pytest.skip(f"redis-server is not installed at {REDIS_SERVER} (apt-get install -y redis-server)")


def assert_no_secret(text: str) -> None:
    for secret in SECRETS:
        assert secret not in text, f"the password {secret!r} was printed:\n{text}"


def assert_no_secret_of(url: str, text: str) -> None:
    password = urlsplit(url).password
    assert not password or password not in text, f"the password {password!r} was printed:\n{text}"


@dataclass
class Server:
    port: int
    tls: bool
    ca: Path | None = None

    def url(self, auth: str = f":{PASSWORD}", db: int = 0, query: str = "") -> str:
        scheme = "rediss" if self.tls else "redis"
        at = f"{auth}@" if auth else ""
        return f"{scheme}://{at}127.0.0.1:{self.port}/{db}{query}"


@pytest.fixture(scope="module")
def certificates(tmp_path_factory) -> Path:
    """A CA and a server certificate for 127.0.0.1 and localhost that it signed (made with `cryptography`)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    folder = tmp_path_factory.mktemp("tls")
    now = datetime.datetime.now(datetime.UTC)

    def name(common: str) -> x509.Name:
        return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common)])

    def build(subject, issuer, public_key, signing_key, issuer_key, ca: bool) -> x509.Certificate:
        builder = (
            x509.CertificateBuilder().subject_name(subject).issuer_name(issuer).public_key(public_key)
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key), critical=False)
        )
        if ca:
            builder = builder.add_extension(
                x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True, content_commitment=False,
                              key_encipherment=False, data_encipherment=False, key_agreement=False,
                              encipher_only=False, decipher_only=False), critical=True)
        else:
            builder = builder.add_extension(
                x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                                             x509.DNSName("localhost")]), critical=False,
            ).add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        return builder.sign(signing_key, hashes.SHA256())

    ca_key, server_key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca = build(name("course test CA"), name("course test CA"), ca_key.public_key(), ca_key, ca_key.public_key(), True)
    server = build(name("localhost"), ca.subject, server_key.public_key(), ca_key, ca_key.public_key(), False)
    pem = serialization.Encoding.PEM
    (folder / "ca.pem").write_bytes(ca.public_bytes(pem))
    (folder / "server.pem").write_bytes(server.public_bytes(pem))
    (folder / "server.key").write_bytes(server_key.private_bytes(
        pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    return folder


def start_redis_server(folder: Path, port_args: list[str], ready_url: str) -> processes.Supervised:
    binary = require_redis_server()
    folder.mkdir(parents=True, exist_ok=True)
    command = [
        binary, *port_args, "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no",
        "--dir", str(folder), "--requirepass", PASSWORD,
        "--user", "alice", "on", f">{ALICE_PASSWORD}", "~*", "&*", "+@all",
        "--user", "carol", "on", f">{ALICE_PASSWORD}", "~*", "-@all",  # may log in, may run nothing
        "--user", "dave", "on", f">{DAVE_PASSWORD}", "~*", "&*", "+@all",
    ]
    server = processes.start("redis-server", command, folder / "redis-server.log", cwd=folder)
    server.wait_ready(lambda: course_redis.ping(ready_url), 5)
    return server


@pytest.fixture
def plain(tmp_path):
    """redis-server with a password (``requirepass``) and an ACL user ``alice``."""
    port = processes.free_port()
    server = Server(port, tls=False)
    process = start_redis_server(tmp_path / "plain", ["--port", str(port)], server.url())
    yield server
    process.stop()


@pytest.fixture
def tls(tmp_path, certificates):
    """The same, speaking TLS only (``--port 0 --tls-port P``), its certificate signed by ``certificates/ca.pem``."""
    port = processes.free_port()
    server = Server(port, tls=True, ca=certificates / "ca.pem")
    process = start_redis_server(tmp_path / "tls", [
        "--port", "0", "--tls-port", str(port),
        "--tls-cert-file", str(certificates / "server.pem"), "--tls-key-file", str(certificates / "server.key"),
        "--tls-ca-cert-file", str(certificates / "ca.pem"), "--tls-auth-clients", "no",
    ], server.url(query=f"?ssl_ca_certs={server.ca}"))
    yield server
    process.stop()


def coursekit(*args, url: str, timeout: float = 60) -> subprocess.CompletedProcess:
    env = {**os.environ, course_redis.EXTERNAL_URL_VARIABLE: url}
    return subprocess.run([sys.executable, "-m", "coursekit", *args], capture_output=True, text=True,
                          cwd=paths.REPO, env=env, timeout=timeout)


def redis_line(done: subprocess.CompletedProcess) -> str:
    assert_no_secret(done.stdout + done.stderr)
    [line] = [line for line in done.stdout.splitlines() if line[2:].startswith("Redis:")]
    return line


# --- the URL as the course prints it -----------------------------------------------------------


@pytest.mark.parametrize("url, shown", [
    ("redis://127.0.0.1:6379/0", "redis://127.0.0.1:6379/0"),
    ("redis://:s3cret@127.0.0.1:6379/0", "redis://:***@127.0.0.1:6379/0"),
    ("redis://alice:s3cret@redis.example.com:6380/3", "redis://alice:***@redis.example.com:6380/3"),
    ("rediss://:s3cret@[::1]:6380/0?ssl_cert_reqs=none", "rediss://:***@[::1]:6380/0?ssl_cert_reqs=none"),
    ("redis://s3cret@127.0.0.1:6379", "redis://***@127.0.0.1:6379"),  # a password in the user's place
    ("redis://:p@ss/w?rd@127.0.0.1:6379/0", "redis://:***@127.0.0.1:6379/0"),  # unescaped @ / ? in it
    ("redis://:s3cret@127.0.0.1:abc/0", "redis://:***@127.0.0.1:abc/0"),  # a URL that does not parse
    ("redis://127.0.0.1/0?password=s3cret&db=2", "redis://127.0.0.1/0?password=***&db=2"),
    ("rediss://:s3cret@h:1/0?ssl_ca_certs=/home/me@work/ca.pem", "rediss://:***@h:1/0?ssl_ca_certs=/home/me@work/ca.pem"),
    ("unix://:s3cret@/run/redis.sock?db=1", "unix://:***@/run/redis.sock?db=1"),
])
def test_redacted_hides_the_password_and_keeps_the_rest(url, shown):
    assert course_redis.redacted(url) == shown


def test_scrubbed_hides_the_password_however_it_is_spelled():
    url = "redis://:p%40ss-w0rd@127.0.0.1:6379/0"
    text = f"tried {url}: AUTH p%40ss-w0rd, that is p@ss-w0rd"
    assert course_redis.scrubbed(text, url) == "tried redis://:***@127.0.0.1:6379/0: AUTH ***, that is ***"


@pytest.mark.parametrize("url, phrase", [
    (f"http://:{PASSWORD}@127.0.0.1:6379/0", "is not a Redis URL (Redis URL must specify one of the following schemes"),
    (f"redis://:{PASSWORD}@127.0.0.1:port/0", "is not a Redis URL (Port could not be cast to integer value"),
    ("redis://127.0.0.1:6379/0?ssl_cert_reqs=none", "does not know (ssl_cert_reqs); remove it, or write rediss://"),
    (f"rediss://:{PASSWORD}@127.0.0.1:6379/0?ssl_cert_reqs=maybe", "(Invalid SSL Certificate Requirements Flag"),
], ids=["scheme", "port", "ssl option without TLS", "ssl option value"])
def test_a_url_the_client_cannot_use_is_one_sentence(url, phrase):
    answer = course_redis.check(url)
    assert (answer.ok, answer.problem) == (False, "url")
    assert phrase in answer.sentence and course_redis.redacted(url) in answer.sentence, answer.sentence
    assert_no_secret(answer.sentence)


# --- coursekit doctor: the forms that work --------------------------------------------------------


@pytest.mark.parametrize("form", ["password", "user and password", "escaped password", "database 3"])
def test_doctor_accepts_a_password_url(plain, form):
    url = {
        "password": plain.url(),
        "user and password": plain.url(auth=f"alice:{ALICE_PASSWORD}"),
        "escaped password": plain.url(auth=f"dave:{DAVE_ESCAPED}"),
        "database 3": plain.url(db=3),
    }[form]
    done = coursekit("doctor", url=url)
    assert done.returncode == 0, done.stdout + done.stderr
    assert redis_line(done) == f"✓ Redis: your server at COURSE_REDIS_URL={course_redis.redacted(url)} answers PING"


@pytest.mark.parametrize("form", ["ssl_ca_certs", "ssl_cert_reqs=none"])
def test_doctor_accepts_a_rediss_url(tls, form):
    url = tls.url(query=f"?ssl_ca_certs={tls.ca}" if form == "ssl_ca_certs" else "?ssl_cert_reqs=none")
    done = coursekit("doctor", url=url)
    assert done.returncode == 0, done.stdout + done.stderr
    assert redis_line(done) == f"✓ Redis: your server at COURSE_REDIS_URL={course_redis.redacted(url)} answers PING"


# --- coursekit doctor: one sentence per mistake ---------------------------------------------------


def expect_refusal(url: str, *phrases: str) -> str:
    done = coursekit("doctor", url=url)
    assert done.returncode == 1
    line = redis_line(done)
    assert line.startswith("✗ Redis: ") and course_redis.redacted(url) in line, line
    assert_no_secret_of(url, done.stdout + done.stderr)
    for phrase in phrases:
        assert phrase in line, line
    return line


def test_doctor_names_a_wrong_password(plain):
    line = expect_refusal(plain.url(auth=":not-the-password"), "refused the user name or password (WRONGPASS)")
    assert line == (
        "✗ Redis: The Redis at COURSE_REDIS_URL=" + course_redis.redacted(plain.url(auth=":x"))
        + " refused the user name or password (WRONGPASS); correct them in the URL: "
        "redis://:PASSWORD@HOST:PORT/0, or redis://USER:PASSWORD@HOST:PORT/0 for an ACL user."
    )
    expect_refusal(plain.url(auth=f"alice:{PASSWORD}"), "(WRONGPASS)")  # the default user's password for alice


def test_doctor_names_a_missing_password(plain):
    expect_refusal(plain.url(auth=""), "wants a password (NOAUTH); put it in the URL: redis://:PASSWORD@")


def test_doctor_names_a_database_the_server_lacks(plain):
    expect_refusal(plain.url(db=99), "has no database 99; end the URL with a smaller number, such as /0")


def test_doctor_names_tls_on_one_side_only(plain, tls):
    expect_refusal(plain.url().replace("redis://", "rediss://"), "does not speak TLS; write redis:// instead")
    expect_refusal(tls.url().replace("rediss://", "redis://"), "only speaks TLS; write rediss:// instead of redis://")


def test_doctor_names_an_untrusted_certificate(tls):
    expect_refusal(tls.url(), "a TLS certificate this machine does not trust", "?ssl_ca_certs=/path/to/ca.pem")


def test_doctor_names_an_acl_user_without_the_commands(plain):
    expect_refusal(plain.url(auth=f"carol:{ALICE_PASSWORD}"), "does not let this user run PING", "+@all")


def test_doctor_names_a_password_the_server_does_not_want(project_root, monkeypatch):
    monkeypatch.delenv("COURSE_REDIS_URL", raising=False)
    valkey = course_redis.start()  # the course's own server, which has no password
    try:
        url = valkey.url.replace("redis://", f"redis://:{PASSWORD}@")
        expect_refusal(url, "has no password set, but the URL gives one; remove it from the URL")
    finally:
        valkey.stop()


def test_doctor_says_nothing_answers_when_nothing_listens():
    url = f"redis://:{PASSWORD}@127.0.0.1:{processes.free_port()}/0"
    expect_refusal(url, "Nothing answers at", "start that Redis, or unset COURSE_REDIS_URL")


# --- what the course builds on the URL --------------------------------------------------------------


def test_start_uses_the_url_and_never_shows_the_password(plain, monkeypatch):
    monkeypatch.setenv("COURSE_REDIS_URL", plain.url())
    server = course_redis.start()
    assert server.external and server.url == plain.url() and server.alive()
    assert server.describe() == f"your Redis at redis://:***@127.0.0.1:{plain.port}/0 (from COURSE_REDIS_URL)"
    assert_no_secret(repr(server) + server.describe() + server.shown_url)
    monkeypatch.setenv("COURSE_REDIS_URL", plain.url(auth=":wrong-" + PASSWORD))
    with pytest.raises(CourseError, match=r"\(WRONGPASS\)") as refused:
        course_redis.start()
    assert_no_secret(str(refused.value))


@pytest.mark.parametrize("form", ["password", "user and password", "escaped password", "database 3", "rediss"])
def test_channels_redis_accepts_the_url_as_the_settings_give_it(plain, tls, form):
    """The course project's settings: CHANNEL_LAYERS["default"]["CONFIG"]["hosts"] = [REDIS_URL]."""
    import redis
    from channels_redis.core import RedisChannelLayer

    url = {
        "password": plain.url(),
        "user and password": plain.url(auth=f"alice:{ALICE_PASSWORD}"),
        "escaped password": plain.url(auth=f"dave:{DAVE_ESCAPED}"),
        "database 3": plain.url(db=3),
        "rediss": tls.url(query=f"?ssl_ca_certs={tls.ca}"),
    }[form]

    async def scenario():
        layer = RedisChannelLayer(hosts=[url])
        ann, bob = await layer.new_channel(), await layer.new_channel()
        await layer.group_add("room", ann)
        await layer.group_add("room", bob)
        await layer.group_send("room", {"type": "chat.message", "message": "hi"})
        received = [await asyncio.wait_for(layer.receive(name), 2) for name in (ann, bob)]
        with redis.Redis.from_url(url) as client:
            in_database = client.exists("asgi:group:room")
        await layer.flush()
        return received, in_database

    received, in_database = asyncio.run(scenario())
    assert [event["message"] for event in received] == ["hi", "hi"]
    assert in_database == 1
    if form == "database 3":
        with redis.Redis.from_url(plain.url(db=0)) as client:
            assert client.exists("asgi:group:room") == 0, "the layer ignored /3"


def test_a_lesson_setup_runs_on_a_password_url(plain, project_root, monkeypatch, capsys):
    monkeypatch.setenv("COURSE_REDIS_URL", plain.url(db=2))
    monkeypatch.delenv("REDIS_URL", raising=False)  # setup() sets it; monkeypatch puts it back
    course = lessons.setup(3)
    try:
        assert course.redis.external and os.environ["REDIS_URL"] == plain.url(db=2)
        course.manage("shell", "--no-imports", "-c", (
            "from asgiref.sync import async_to_sync\n"
            "from channels.layers import get_channel_layer\n"
            "layer = get_channel_layer()\n"
            "async def round_trip():\n"
            "    name = await layer.new_channel()\n"
            "    await layer.send(name, {'type': 'greeting', 'text': 'over a password'})\n"
            "    return await layer.receive(name)\n"
            "print('received:', async_to_sync(round_trip)()['text'])\n"
        ))
        assert "Redis" not in course.stop_servers() and course_redis.ping(plain.url()), "an external Redis stays up"
    finally:
        course.teardown()  # (this also stops our redis-server: the test started it in this process)
    out = capsys.readouterr()
    assert "received: over a password" in out.out
    assert_no_secret(out.out + out.err)


# --- coursekit serve, end to end ----------------------------------------------------------------------


@pytest.mark.parametrize("form", ["password", "rediss"])
def test_serve_carries_a_chat_message_over_a_password_url(form, request, project_root):
    server = request.getfixturevalue("plain" if form == "password" else "tls")
    url = server.url(query=f"?ssl_ca_certs={server.ca}" if server.tls else "")
    port = processes.free_port()
    env = {**os.environ, "COURSE_REDIS_URL": url}
    serve = subprocess.Popen([sys.executable, "-m", "coursekit", "serve", "6", "--port", str(port)],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=paths.REPO, env=env)
    printed = []
    try:
        for line in serve.stdout:
            printed.append(line)
            if line.startswith("WebSocket: "):
                break
        assert printed and printed[-1].startswith("WebSocket: ws://"), "".join(printed) + serve.stderr.read()
        room = printed[-1].removeprefix("WebSocket: ").strip()

        async def chat():
            async with websockets.connect(room) as ann, websockets.connect(room) as bob:
                await ann.send(json.dumps({"message": "hi"}))
                return [json.loads(await asyncio.wait_for(client.recv(), 5)) for client in (ann, bob)]

        heard = asyncio.run(chat())
        assert [event["message"] for event in heard] == ["hi", "hi"]
    finally:
        serve.send_signal(signal.SIGTERM)
        rest, errors = serve.communicate(timeout=15)
    assert serve.returncode == 0, errors
    logs = "".join(path.read_text(errors="replace") for path in (project_root.parent / "state").rglob("*.log"))
    assert "WSCONNECT /ws/chat/lobby/" in logs, "daphne's log was not read"
    assert_no_secret("".join(printed) + rest + errors + logs)


def test_serve_with_a_wrong_password_is_one_sentence_without_it(plain, project_root):
    url = plain.url(auth=":wrong-" + PASSWORD)
    done = coursekit("serve", "4", "--port", str(processes.free_port()), url=url)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stderr.strip() == (
        f"coursekit: The Redis at COURSE_REDIS_URL={course_redis.redacted(url)} refused the user name or password "
        "(WRONGPASS); correct them in the URL: redis://:PASSWORD@HOST:PORT/0, "
        "or redis://USER:PASSWORD@HOST:PORT/0 for an ACL user."
    )
    assert_no_secret(done.stdout + done.stderr)
