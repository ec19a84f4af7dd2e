"""A real SMTP server (aiosmtpd) in the test process, for any feature that sends e-mail.

Use the ``mailbox`` fixture: it points Django's SMTP backend at the server for the
test and gives the messages received, parsed::

    def test_invitation_is_mailed(mailbox, admin_client_):
        admin_client_.post("/accounts/invitations/", {...})
        message = mailbox.wait_for(1)[0]
        assert message["To"] == "ana@example.com"
        assert "/accounts/invite/" in mailbox.body(message)

The server lives for the whole test session (one port); each test starts with an
empty mailbox. Browser tests (live_server) see the same settings, so mail sent from
the server thread arrives here too.
"""

import email
import email.policy
import re
import socket
import threading
import time

import pytest
from aiosmtpd.controller import Controller


class Mailbox:
    """Messages received by the SMTP server, in order, as ``email.message.EmailMessage``."""

    def __init__(self):
        self.messages = []
        self.envelopes = []
        self._lock = threading.Condition()

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd's handler hook
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self._lock:
            self.messages.append(message)
            self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
            self._lock.notify_all()
        return "250 Message accepted for delivery"

    def clear(self):
        with self._lock:
            self.messages.clear()
            self.envelopes.clear()

    def wait_for(self, count: int, timeout: float = 10.0):
        """Block until ``count`` messages have arrived; returns them (fails the test if not)."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while len(self.messages) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(
                        f"Expected {count} e-mail(s), got {len(self.messages)} within {timeout}s"
                    )
                self._lock.wait(left)
            return list(self.messages)

    def to(self, address: str):
        return [m for m in self.messages if address.lower() in str(m["To"]).lower()]

    @staticmethod
    def body(message) -> str:
        part = message.get_body(preferencelist=("plain", "html"))
        return part.get_content() if part is not None else ""

    def links(self, message) -> list[str]:
        return re.findall(r"https?://[^\s<>\"]+", self.body(message))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def smtp_server():
    """One aiosmtpd server for the session: (mailbox, port)."""
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    try:
        yield mailbox, controller.port
    finally:
        controller.stop()


@pytest.fixture
def mailbox(smtp_server, settings):
    """An empty mailbox, with Django's e-mail sent over SMTP to the test server."""
    box, port = smtp_server
    box.clear()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    yield box
    box.clear()
