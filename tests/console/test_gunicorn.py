"""The repository's gunicorn.conf.py: one stalled upload no longer blocks the health check."""

import json
import os
import signal
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).parent / "gunicorn"


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url, timeout):
    with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - a local test server
        return response.status


@pytest.fixture
def gunicorn_server(tmp_path):
    """gunicorn with the repository's config and ONE worker (the worst case), on a free port."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE")}
    env.update(
        DJANGO_SETTINGS_MODULE="console.settings.development", DEBUG="false", GUNICORN_WORKERS="1",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}", LOG_LEVEL="WARNING",
    )
    server = subprocess.Popen(
        [str(GUNICORN), "-c", str(ROOT / "gunicorn.conf.py"), "-b", f"127.0.0.1:{port}", "console.wsgi"],
        cwd=ROOT, env=env, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):  # up to about 30 s to start
            if server.poll() is not None:
                pytest.fail(f"gunicorn exited: {server.stderr.read().decode()}")
            try:
                _get(url + "/healthz", timeout=1)
                break
            except OSError:
                subprocess.run(["sleep", "0.1"], check=True)
        yield port, url
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


def test_a_stalled_upload_does_not_block_the_health_check(gunicorn_server):
    port, url = gunicorn_server
    stalled = socket.create_connection(("127.0.0.1", port))
    try:
        # Headers promise 100 kB of form body; half of it arrives, then nothing. With a CSRF cookie
        # Django's CSRF check reads the whole body for the form's token, so the request holds
        # its thread (a sync worker: its whole process) until the client goes.
        stalled.sendall(
            b"POST /accounts/login/ HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: csrftoken=" + b"c" * 32 + b"\r\n"
            b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100000\r\n\r\n"
            + b"username=" + b"a" * 50000
        )
        assert _get(url + "/healthz", timeout=20) == 200
        assert _get(url + "/accounts/login/", timeout=20) == 200
    finally:
        stalled.close()


def _raw(port, request):
    """Send bytes as they are and read the whole answer (gunicorn closes after an error)."""
    with socket.create_connection(("127.0.0.1", port), timeout=20) as sock:
        sock.sendall(request)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    return status, head.decode("latin-1").lower(), body


def _post(path, headers):
    return f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{headers}\r\n\r\n".encode()


@pytest.mark.parametrize(
    "headers",
    [
        "Content-Type: application/json\r\nContent-Length: abc",
        "Content-Type: application/json\r\nContent-Length: -1",
        "Content-Type: application/json\r\nContent-Length: 2\r\nContent-Length: 3",
        "Content-Type: application/json\r\nContent-Length: 2\r\nTransfer-Encoding: chunked",
    ],
)
def test_what_gunicorn_refuses_before_django_is_the_api_json_error_under_api(gunicorn_server, headers):
    port, _ = gunicorn_server
    status, head, body = _raw(port, _post("/api/v1/orgs/acme/feedback", headers))
    assert status == 400
    assert "content-type: application/json" in head
    assert json.loads(body)["error"] == "invalid"
    # Pages keep gunicorn's own page.
    status, head, body = _raw(port, _post("/accounts/login/", headers))
    assert status == 400 and "content-type: text/html" in head


def test_a_request_line_or_header_past_gunicorns_limits_is_refused_without_a_5xx(gunicorn_server):
    port, _ = gunicorn_server
    # Too long to read, so its path is unknown: gunicorn's own page (the proxy answers these first, README).
    status, _, _ = _raw(port, f"GET /api/v1/me?{'x' * 5000} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
    assert status == 414
    status, _, _ = _raw(port, f"GET /api/v1/me HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: {'x' * 9000}\r\n\r\n".encode())
    assert 400 <= status < 500
