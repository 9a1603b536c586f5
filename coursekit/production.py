"""The production files of the deploy stack: what ``coursekit deploy`` runs, in one place.

The project's two production files are lesson 15's file cells, and only there
(:data:`PROJECT_FILES`, taken from the project at the end of
:data:`PRODUCTION_LESSON`):

- ``mysite/settings_production.py``: DEBUG off, the secret key, the allowed
  hosts and Redis from the environment, static files collected into ``STATIC_ROOT``;
- ``mysite/urls_production.py``: the site's URLs plus ``/healthz``, the page
  the proxy's health checks ask for.

Each function below returns the text of one configuration file, and nothing
here starts anything (that is :mod:`deploy`'s job), so lesson 15 can show each
file as it is:

- :func:`supervisord_conf`: several daphne processes, one port each, and the
  lesson-12 worker, under supervisord;
- :func:`caddyfile`: Caddy on the public port, static files from ``STATIC_ROOT``,
  everything else (HTTP and WebSockets) load-balanced over the daphne processes,
  with active health checks;
- :func:`nginx_conf`: the same proxy for nginx, as in the Channels deployment docs.

Why one port per daphne rather than supervisord's ``fcgi-program`` sharing one
socket (``daphne --fd 0``, the other layout the Channels docs show): with a
shared socket the kernel hands each new connection to whichever process accepts
first, so the proxy sees one upstream and can neither health-check a single
process nor take a sick one out of rotation. With a port each, the proxy
load-balances, checks every process on its own and stops sending new clients to
one that fails its health check while supervisord restarts it.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

PRODUCTION_SETTINGS_MODULE = "mysite.settings_production"
HEALTH_PATH = "/healthz"
WORKER_CHANNEL = "chat-stats"

# --- Django: the files lesson 15's file cells write into the project ----------------------------------------

# Their text lives once, in notebooks/15_deployment.ipynb (single source of truth);
# deploy takes them from the project at the end of that lesson.
PRODUCTION_LESSON = 15
PROJECT_FILES = ("mysite/settings_production.py", "mysite/urls_production.py")

# --- supervisord ------------------------------------------------------------------------------------------


def supervisord_conf(
    *,
    project: Path,
    daphne: Sequence[str],
    python: str,
    ports: Sequence[int],
    logs: Path,
    state: Path,
    socket: Path | None = None,
    worker_layer: str | None = None,
    lifeline: Sequence[str] = (),
) -> str:
    """supervisord's configuration: one daphne program per port and the worker, in the foreground.

    ``daphne`` and ``python`` are the programs of this environment; ``lifeline``
    (if given) is put before every program's command: the course's watchdog, so
    each program ends when supervisord does, even after a kill -9 (supervisord
    puts each program in a process group of its own, out of reach of the
    watchdog that ends supervisord's group). On a server, leave it out.
    """
    prefix = " ".join([*lifeline, ""]) if lifeline else ""
    layer = f" --layer {worker_layer}" if worker_layer else ""
    sections = [
        "; supervisord.conf for the course's deploy stack (python -m coursekit deploy writes it).",
        "; Run it in the foreground: supervisord -c supervisord.conf",
        "[supervisord]",
        "nodaemon=true",
        "silent=true                 ; nothing on stdout: see the log file",
        f"logfile={logs / 'supervisord.log'}",
        f"pidfile={state / 'supervisord.pid'}",
        f"childlogdir={logs}",
        f"directory={project}",
        f'environment=DJANGO_SETTINGS_MODULE="{PRODUCTION_SETTINGS_MODULE}"',
        "",
    ]
    if socket is not None:
        sections += [
            "; supervisorctl -c supervisord.conf status | restart daphne:daphne-1 | tail -f worker",
            "[unix_http_server]",
            f"file={socket}",
            "",
            "[rpcinterface:supervisor]",
            "supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface",
            "",
            "[supervisorctl]",
            f"serverurl=unix://{socket}",
            "",
        ]
    common = [
        f"directory={project}",
        "autostart=true",
        "autorestart=true",
        "startsecs=1",
        "stopsignal=TERM",
        "stopwaitsecs=5",
        "stopasgroup=true",
        "killasgroup=true",
        "redirect_stderr=true",
    ]
    names = []
    for number, port in enumerate(ports, start=1):
        names.append(f"daphne-{number}")
        sections += [
            f"[program:daphne-{number}]",
            # --proxy-headers: the client's address from the proxy's X-Forwarded-For, in the log and the scope.
            f"command={prefix}{' '.join(daphne)} -b 127.0.0.1 -p {port} --proxy-headers mysite.asgi:application",
            *common,
            f"stdout_logfile={logs / f'daphne-{number}.log'}",
            "",
        ]
    sections += [
        "[group:daphne]",
        f"programs={','.join(names)}",
        "",
        "[program:worker]",
        f"command={prefix}{python} manage.py runworker{layer} {WORKER_CHANNEL}",
        *common,
        f"stdout_logfile={logs / 'worker.log'}",
        "",
    ]
    return "\n".join(sections)


# --- Caddy ------------------------------------------------------------------------------------------------


def caddyfile(*, port: int, upstreams: Sequence[int], static_root: Path, logs: Path) -> str:
    """Caddy on 127.0.0.1:``port``: static files itself, the rest load-balanced over the daphne ports."""
    servers = " ".join(f"127.0.0.1:{upstream}" for upstream in upstreams)
    return f"""\
# Caddyfile for the course's deploy stack (python -m coursekit deploy writes it).
# Run it: caddy run --config Caddyfile --adapter caddyfile
{{
	# No admin API: the stack is stopped with a signal.
	admin off
	# Plain HTTP on loopback; for a real host name Caddy gets a certificate itself.
	auto_https off
	persist_config off
	# On SIGTERM, requests in flight get 2 s to finish.
	grace_period 2s
}}

http://:{port} {{
	bind 127.0.0.1
	log {{
		output file {logs / 'caddy-access.log'}
	}}

	# Static files, collected by `manage.py collectstatic`, served by Caddy, not by Django.
	handle_path /static/* {{
		root * {static_root}
		file_server
	}}

	# Everything else, HTTP and WebSockets alike (Caddy passes the Upgrade through).
	handle {{
		reverse_proxy {servers} {{
			# A new client goes to the process with the fewest connections.
			lb_policy least_conn
			# A process that refuses the connection: try another one for up to 2 s.
			lb_try_duration 2s
			# Active health checks: a process that fails one gets no new clients until it passes again.
			health_uri {HEALTH_PATH}
			health_interval 1s
			health_timeout 1s
			health_status 200
			# On a reload or stop, close the WebSockets at once (the chat page reconnects).
			stream_close_delay 0
		}}
	}}
}}
"""


# --- nginx ------------------------------------------------------------------------------------------------


def nginx_conf(*, port: int, upstreams: Sequence[int], static_root: Path | None = None,
               prefix: Path | None = None) -> str:
    """The Channels deployment docs' nginx configuration: an upstream of daphne processes, WebSockets upgraded.

    A whole ``nginx.conf`` that runs as an ordinary user in the foreground
    (``nginx -p PREFIX -c nginx.conf``): temporary files under ``prefix``.
    """
    servers = "\n".join(f"        server 127.0.0.1:{upstream};" for upstream in upstreams)
    temp = prefix or Path(".")
    static = (f"""
        location /static/ {{
            alias {static_root}/;
        }}
""" if static_root is not None else "")
    return f"""\
# nginx.conf: nginx in front of several daphne processes (the Channels deployment docs' example).
worker_processes 1;
events {{
    worker_connections 1024;
}}
http {{
    access_log {temp / 'access.log'};
    client_body_temp_path {temp / 'client_body'};
    proxy_temp_path {temp / 'proxy'};
    fastcgi_temp_path {temp / 'fastcgi'};
    uwsgi_temp_path {temp / 'uwsgi'};
    scgi_temp_path {temp / 'scgi'};

    upstream channels-backend {{
{servers}
    }}

    server {{
        listen 127.0.0.1:{port};
{static}
        location / {{
            proxy_pass http://channels-backend;
            # WebSockets: HTTP/1.1 and the hop-by-hop Upgrade/Connection headers passed on.
            proxy_http_version 1.1;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection "upgrade";
            proxy_redirect off;
            proxy_set_header Host $host;
            proxy_set_header X-Real-IP $remote_addr;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Host $server_name;
        }}
    }}
}}
"""
