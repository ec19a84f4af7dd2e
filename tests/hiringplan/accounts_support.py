"""Helpers shared by the accounts tests: codes from a TOTP secret, sign-ins, audit lines."""

import base64
import time

from django.test import Client
from django_otp.oath import TOTP

from hiringplan.models import SignInEvent


def code_for(key_hex: str, *, at: float | None = None) -> str:
    """The code an authenticator app shows (now, or at ``at``) for a TOTP device's key."""
    generator = TOTP(bytes.fromhex(key_hex), step=30, t0=0, digits=6)
    generator.time = at if at is not None else time.time()
    return f"{generator.token():06d}"


def code_from_secret(secret_text: str, *, at: float | None = None) -> str:
    """The code for the base32 secret the setup page shows (as a person would type it)."""
    raw = secret_text.replace(" ", "")
    raw += "=" * (-len(raw) % 8)
    return code_for(base64.b32decode(raw).hex(), at=at)


def next_window_code(key_hex: str) -> str:
    """A code of the next 30-second window (a fresh code after one was just used)."""
    return code_for(key_hex, at=time.time() + 30)


def password_client(username, password, **extra) -> tuple[Client, object]:
    client = Client(**extra)
    response = client.post("/accounts/login/", {"username": username, "password": password})
    return client, response


def events(kind=None, **filters):
    query = SignInEvent.objects.all()
    if kind is not None:
        query = query.filter(kind=kind)
    return list(query.filter(**filters).order_by("at", "pk"))
