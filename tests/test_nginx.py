"""The Channels deployment docs' nginx configuration, run for real in front of two daphne processes.

nginx (Debian's, which `.ci/run` installs) runs as this test's own process, in the foreground,
under the course's watchdog, on a free loopback port, with the configuration
:func:`coursekit.production.nginx_conf` writes: an upstream of two daphne processes serving the
project with its production settings, `proxy_http_version 1.1` and the Upgrade/Connection
headers. Through it: a page, a static file, and a WebSocket round trip between two clients.

Without nginx the test skips, except with CI=true, where it fails.
"""

import asyncio
import json
import os
import shutil
import urllib.request

import pytest
import websockets

from coursekit import deploy, lessons, processes, production
from coursekit import redis as course_redis
from coursekit.daphne import DEFAULT_APPLICATION
from coursekit.daphne import program as daphne_program

NGINX = shutil.which("nginx", path="/usr/sbin:/usr/local/sbin:/opt/homebrew/bin:/usr/local/bin") or "/usr/sbin/nginx"


@pytest.fixture
def nginx(in_ci):
    if not os.path.exists(NGINX):
        if in_ci:
            pytest.fail(f"nginx is not installed at {NGINX}; .ci/run installs it (apt-get install nginx).")
        pytest.skip("nginx is not installed")
    return NGINX


def test_the_channels_docs_nginx_config_proxies_pages_and_websockets(nginx, tmp_path, monkeypatch):
    monkeypatch.setenv("COURSE_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.delenv("COURSE_REDIS_URL", raising=False)
    started = []
    layer = course_redis.start()
    try:
        folder = tmp_path / "deploy"
        folder.mkdir()
        root = deploy.prepare(lessons.info(lessons.available()[-1].number), folder)
        env = deploy.production_environment(root, layer.url, folder)
        deploy.collectstatic(root, env)
        ports = [processes.free_port() for _ in range(2)]
        while ports[1] == ports[0]:
            ports[1] = processes.free_port()
        for number, port in enumerate(ports, start=1):
            started.append(processes.start(
                f"daphne {number}", [*daphne_program(), "-b", "127.0.0.1", "-p", str(port), "--proxy-headers",
                                     DEFAULT_APPLICATION],
                tmp_path / f"daphne-{number}.log", cwd=root, env=env, port=port, project=root))
        for server in started:
            server.wait_until_listening(20)

        listen = processes.free_port()
        prefix = tmp_path / "nginx"
        prefix.mkdir()
        conf = prefix / "nginx.conf"
        conf.write_text(production.nginx_conf(port=listen, upstreams=ports, static_root=root / "staticfiles",
                                              prefix=prefix))
        directives = f"daemon off; pid {prefix / 'nginx.pid'}; error_log stderr;"
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            directives += " user root;"  # as root, nginx's workers would run as nobody, who cannot read tmp_path
        proxy = processes.start("nginx", [nginx, "-p", str(prefix), "-c", str(conf), "-e", "stderr",
                                          "-g", directives], tmp_path / "nginx.log", port=listen)
        started.append(proxy)
        proxy.wait_until_listening(10)
        origin = f"http://127.0.0.1:{listen}"

        with urllib.request.urlopen(f"{origin}/chat/lobby/", timeout=5) as page:
            assert page.status == 200 and "lobby" in page.read().decode()
            assert page.headers["Server"].startswith("nginx")
        with urllib.request.urlopen(f"{origin}/static/admin/css/base.css", timeout=5) as static:
            assert static.status == 200 and b"body" in static.read()

        async def round_trip():
            url = f"ws://127.0.0.1:{listen}/ws/chat/nginx/"
            async with websockets.connect(url, origin=origin) as ann, websockets.connect(url, origin=origin) as bob:
                await ann.send(json.dumps({"message": "through nginx"}))
                for ws in (ann, bob):
                    assert json.loads(await asyncio.wait_for(ws.recv(), 5))["message"] == "through nginx"
                await bob.send("not json")
                assert "error" in json.loads(await asyncio.wait_for(bob.recv(), 5))

        asyncio.run(round_trip())
        # The upstream spread the two clients over both daphne processes.
        assert all("WSCONNECT" in server.log.text() for server in started[:2]), [s.log.tail() for s in started]
    finally:
        for server in reversed(started):
            server.stop()
        layer.stop()
