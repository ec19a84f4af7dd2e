"""The second factor for password accounts: a TOTP app (django-otp) and one-time recovery codes.

Required for Admins (``MFA_REQUIRED_FOR_ADMINS``), optional for everyone else. People who
sign in through the company's identity provider get its second factor instead, so they
are not asked twice.
"""

import base64
import re

import qrcode
import qrcode.image.svg
from django.db import transaction
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.forms import is_digits

RECOVERY_CODE_COUNT = 10
TOTP_NAME = "Authenticator app"
RECOVERY_NAME = "Recovery codes"


def confirmed_totp(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def has_second_factor(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def pending_totp(user) -> TOTPDevice:
    """The unconfirmed device being set up (one per user; the same secret until confirmed)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_NAME, confirmed=False)
    return device


def qr_data_uri(text: str) -> str:
    """A QR code of ``text`` as an SVG data URI, drawn here (nothing leaves the server)."""
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, border=2)
    svg = image.to_string(encoding="unicode")
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def secret_for_humans(device: TOTPDevice) -> str:
    """The base32 secret in groups of four, for typing into an app without a camera."""
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@transaction.atomic
def new_recovery_codes(user) -> list[str]:
    """Replace the user's recovery codes with new ones; returns them (shown once)."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user).count()


@transaction.atomic
def confirm(device: TOTPDevice) -> list[str]:
    """The code matched: the device becomes the user's one app device, with new recovery codes."""
    TOTPDevice.objects.filter(user=device.user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return new_recovery_codes(device.user)


@transaction.atomic
def remove_all(user) -> int:
    """Forget every second factor of ``user`` (their own choice, or an admin's for a lost phone)."""
    removed, _ = TOTPDevice.objects.filter(user=user).delete()
    removed_static, _ = StaticDevice.objects.filter(user=user).delete()
    return removed + removed_static


def normalise(code: str) -> str:
    return re.sub(r"[\s-]+", "", code or "").lower()


def verify(user, code: str):
    """The device that accepts ``code`` and which kind it was ("app" or "recovery"), or None.

    The app's codes are six digits; anything else is tried as a recovery code, which
    django-otp deletes as it accepts it (each is good once). Both are throttled by
    django-otp after failures.
    """
    code = normalise(code)
    if not code:
        return None, None
    with transaction.atomic():
        if is_digits(code) and len(code) == 6:
            for device in TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True):
                if device.verify_token(code):
                    return device, "app"
            return None, None
        for device in StaticDevice.objects.select_for_update().filter(user=user, confirmed=True):
            if device.verify_token(code):
                return device, "recovery"
    return None, None


def throttled(user) -> bool:
    """True while django-otp makes the user wait after wrong codes."""
    device = confirmed_totp(user)
    if device is None:
        return False
    allowed, _ = device.verify_is_allowed()
    return not allowed
