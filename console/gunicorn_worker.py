"""gunicorn's threaded worker, answering the requests it refuses before Django in JSON under /api/.

gunicorn renders its own refusals (a malformed Content-Length or Transfer-Encoding, a request line
or header past its limits) as a small HTML page and has no setting for another body; its documented
way to change a worker is a subclass named in ``worker_class`` (gunicorn.conf.py). This one lets
gunicorn decide the status and log as usual, and rewrites the page as the API's error
``{"error": code, "detail": text}`` when the request's path is known and under /api/. A request line
too long to read has no known path: gunicorn's page stays, and the proxy in front answers those
first (README, Deployment).
"""

import json

from gunicorn import util
from gunicorn.workers.gthread import ThreadWorker

API_PREFIX = "/api/"  # as console.errors; this module loads before Django does
CODE_BY_STATUS = {403: "forbidden", 413: "too_large", 414: "too_large", 417: "invalid", 431: "too_large", 501: "not_implemented"}


class _Capture:
    """Stands in for the client's socket while gunicorn writes its error page, and keeps what it wrote."""

    def __init__(self, sock):
        self._sock, self.written = sock, b""

    def gettimeout(self):
        return 0.0  # gunicorn's write_nonblock then writes at once, here

    def sendall(self, data):
        self.written += data

    def __getattr__(self, name):
        return getattr(self._sock, name)


def _request_path(req, exc):
    for request in (req, getattr(exc, "req", None)):
        if getattr(request, "path", None):
            return request.path
    return None


def json_error_response(page):
    """gunicorn's HTML error response (bytes) as the same status with the API's JSON error body."""
    head, _, _ = page.partition(b"\r\n")
    _, status, reason = head.decode("latin-1").split(" ", 2)
    code = CODE_BY_STATUS.get(int(status), "invalid" if int(status) < 500 else "server_error")
    body = json.dumps({"error": code, "detail": f"The request could not be read ({reason})."}).encode()
    return (
        f"HTTP/1.1 {status} {reason}\r\nConnection: close\r\nContent-Type: application/json\r\n"
        f"Cache-Control: no-store\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode("latin-1") + body


class ConsoleThreadWorker(ThreadWorker):
    """gthread, with gunicorn's own refusals of /api/ requests answered as the API's JSON errors."""

    def handle_error(self, req, client, addr, exc):
        path = _request_path(req, exc)
        if path is None or not path.startswith(API_PREFIX):
            return super().handle_error(req, client, addr, exc)
        capture = _Capture(client)
        super().handle_error(req, capture, addr, exc)
        if capture.written:
            try:
                util.write_nonblock(client, json_error_response(capture.written))
            except OSError:
                self.log.debug("Failed to send error message.")
        return None
