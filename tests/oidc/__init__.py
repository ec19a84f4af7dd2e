"""A real OpenID Connect provider for the tests: npm's ``oidc-provider`` (tests/oidc/provider.mjs).

Fixtures (registered in tests/conftest.py):

- ``identity_provider``: a provider process whose client may return to the test
  client's ``http://testserver``; ``sso`` configures the app to use it for one test.
- ``live_identity_provider``: one whose client returns to the live server (Chromium);
  ``live_sso`` configures the app for it.

Both are started once per session on a free port and stopped at the end. Without
``node`` the tests that use them are skipped, saying why; ``make setup`` runs ``npm ci``.
"""

import json
import re
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
PROVIDER_SCRIPT = Path(__file__).with_name("provider.mjs")
CLIENT_ID = "hiringplan-tests"
CLIENT_SECRET = "tests-only-client-secret-0123456789"
CALLBACK = "/accounts/oidc/callback/"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class IdentityProvider:
    """A running provider: its issuer, its accounts (a JSON file it re-reads) and its tamper switch."""

    def __init__(self, redirect_uris: list[str]):
        node = shutil.which("node")
        if node is None:
            pytest.skip("node is not installed: the single sign-on tests run npm's oidc-provider")
        if not (ROOT / "node_modules" / "oidc-provider").exists():
            pytest.fail("node_modules/oidc-provider is missing: run `make setup` (it runs npm ci)")
        self.port = _free_port()
        self.issuer = f"http://127.0.0.1:{self.port}"
        self._dir = tempfile.TemporaryDirectory(prefix="hiringplan-idp-")
        self.accounts_file = Path(self._dir.name) / "accounts.json"
        self.accounts = {}
        self.process = subprocess.Popen(
            [node, str(PROVIDER_SCRIPT)],
            cwd=ROOT,
            env={
                "PATH": "/usr/bin:/bin",
                "PORT": str(self.port),
                "CLIENT_ID": CLIENT_ID,
                "CLIENT_SECRET": CLIENT_SECRET,
                "REDIRECT_URIS": ",".join(redirect_uris),
                "ACCOUNTS_FILE": str(self.accounts_file),
                "NODE_ENV": "test",
            },
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        said = []
        for line in self.process.stdout:  # Warnings may come first; READY when listening.
            said.append(line)
            if line.startswith("READY"):
                break
        else:
            self.stop()
            raise RuntimeError("The test identity provider did not start:\n" + "".join(said))
        self._drain()

    def _drain(self):
        """Keep reading the provider's output so its pipe never fills up and blocks it."""
        import threading

        def read():
            for _ in self.process.stdout:
                pass

        threading.Thread(target=read, daemon=True).start()

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self._dir.cleanup()

    # --- What the provider knows ---------------------------------------------------------

    def set_account(self, login, *, password="idp-password", groups=(), email=None, sub=None,
                    name=None, email_verified=True):
        self.accounts[login] = {
            "password": password,
            "sub": sub or f"sub-{login}",
            "email": email or f"{login}@example.com",
            "email_verified": email_verified,
            "name": name or login.replace("-", " ").title(),
            "groups": list(groups),
        }
        self.accounts_file.write_text(json.dumps(self.accounts))

    def reset(self):
        self.accounts = {}
        self.accounts_file.write_text("{}")
        self.tamper_next(None)

    def tamper_next(self, kind):
        """Make the next ID token wrong in one way: expired, audience, issuer, foreign-key."""
        requests.get(f"{self.issuer}/__test__/tamper", params={"next": kind or ""}, timeout=5)

    def configure(self, settings, *, group_map=None):
        from hiringplan.accounts import oidc

        settings.OIDC_ISSUER = self.issuer
        settings.OIDC_ENABLED = True
        settings.OIDC_RP_CLIENT_ID = CLIENT_ID
        settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
        settings.OIDC_RP_SCOPES = "openid email profile groups"
        settings.OIDC_PROVIDER_NAME = "Test IdP"
        settings.OIDC_GROUP_MAP = (
            group_map
            if group_map is not None
            else {"idp-leaders": "Leadership", "idp-hm": "Hiring managers", "idp-admins": "Admins"}
        )
        oidc.forget_metadata()

    # --- Driving a sign-in over plain HTTP (the browser tests use Chromium) ----------------

    def sign_in(self, client, login, password="idp-password", *, next=None,
                stop_at_callback=False):
        """Start at the app, sign in at the provider, come back: the app's last response.

        With ``stop_at_callback`` the callback address (code and state) is returned
        instead of being followed, so a test can tamper with it or replay it.
        """
        start = client.get("/accounts/oidc/authenticate/", {"next": next} if next else {})
        assert start.status_code == 302, start.content[:300]
        browser = requests.Session()
        url = start["Location"]
        assert url.startswith(self.issuer), url
        for _ in range(20):
            response = browser.get(url, allow_redirects=False, timeout=10)
            if response.is_redirect:
                url = urljoin(url, response.headers["Location"])
                if not url.startswith(self.issuer):
                    break
                continue
            form = re.search(r'<form method="post" action="([^"]+)"', response.text)
            assert form, response.text[:500]
            response = browser.post(
                urljoin(url, form.group(1)),
                data={"login": login, "password": password},
                allow_redirects=False,
                timeout=10,
            )
            assert response.is_redirect, response.text[:500]
            url = urljoin(url, response.headers["Location"])
        assert urlsplit(url).path == CALLBACK, url
        parts = urlsplit(url)
        path = f"{parts.path}?{parts.query}"
        if stop_at_callback:
            return path
        return client.get(path)


def _provider(redirect_uris):
    provider = IdentityProvider(redirect_uris)
    try:
        yield provider
    finally:
        provider.stop()


@pytest.fixture(scope="session")
def identity_provider():
    yield from _provider([f"http://testserver{CALLBACK}"])


@pytest.fixture
def sso(identity_provider, settings):
    """The app signs in through the test provider (for this test); the provider starts empty."""
    identity_provider.reset()
    identity_provider.configure(settings)
    yield identity_provider
    identity_provider.reset()


@pytest.fixture(scope="session")
def live_identity_provider(live_server):
    url = live_server.url
    port = urlsplit(url).port
    yield from _provider(
        [f"{url}{CALLBACK}", f"http://127.0.0.1:{port}{CALLBACK}", f"http://localhost:{port}{CALLBACK}"]
    )


@pytest.fixture
def live_sso(live_identity_provider, settings):
    live_identity_provider.reset()
    live_identity_provider.configure(settings)
    yield live_identity_provider
    live_identity_provider.reset()


def wait_until(predicate, timeout=5.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False
