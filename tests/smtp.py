"""A real SMTP server (aiosmtpd) for the delivery tests, on a port of 127.0.0.1 the system picks."""

import email
import re
import socket
import threading
from email import policy

import pytest
from aiosmtpd.controller import Controller

LINK = re.compile(r"https?://[^\s\"<>]+/invitations/([A-Za-z0-9_-]+)/")


class _BoundController(Controller):
    """aiosmtpd's threaded server, listening on a socket bound beforehand (so the port is known and free)."""

    def __init__(self, handler, sock):
        super().__init__(handler, hostname="127.0.0.1", port=sock.getsockname()[1])
        self._sock = sock

    def _create_server(self):
        return self.loop.create_server(self._factory_invoker, sock=self._sock)


class SmtpServer:
    """Collects every message it accepts; `wait_for` blocks until a number of them arrived."""

    def __init__(self):
        # Bound but not yet listening: until start(), a connection is refused, as by a server that is down.
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.bind(("127.0.0.1", 0))
        self.port = self._sock.getsockname()[1]
        self.messages = []
        self._arrived = threading.Condition()
        self._controller = None

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        message = email.message_from_bytes(envelope.content, policy=policy.default)
        with self._arrived:
            self.messages.append((list(envelope.rcpt_tos), message))
            self._arrived.notify_all()
        return "250 Message accepted for delivery"

    def start(self):
        self._controller = _BoundController(self, self._sock)
        self._controller.start()

    def stop(self):
        if self._controller is not None:
            self._controller.stop()
        self._sock.close()

    def wait_for(self, count, timeout=60):
        """The first `count` messages, once they have all arrived (fails after `timeout` seconds)."""
        with self._arrived:
            if not self._arrived.wait_for(lambda: len(self.messages) >= count, timeout):
                raise AssertionError(f"expected {count} message(s) at the SMTP server, got {len(self.messages)}")
            return list(self.messages[:count])


def body(message, subtype="plain"):
    """The text of one part (plain or html) of a received message."""
    return message.get_body(preferencelist=(subtype,)).get_content()


def use_smtp(settings, server):
    """Point Django's SMTP backend at the test's server (the worker thread reads the same settings)."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""


@pytest.fixture
def smtp_server(settings):
    """A running SMTP server that Django sends to, for one test."""
    server = SmtpServer()
    server.start()
    use_smtp(settings, server)
    yield server
    server.stop()


@pytest.fixture
def smtp_server_down(settings):
    """An SMTP server that Django sends to but that is down until the test calls start()."""
    server = SmtpServer()
    use_smtp(settings, server)
    yield server
    server.stop()
