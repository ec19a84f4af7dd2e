"""Leavers and idle sessions: every session of a user can be ended at once, whatever the
session engine, and a session left idle past ``SESSION_IDLE_TIMEOUT`` signs itself out.

Two mechanisms, because neither is enough alone:

- a list of each user's sessions (``UserSession``), so that ending them deletes the
  stored sessions (database, cache or file engines) and the account page can show them;
- a per-user *session epoch*: each session remembers the epoch it was signed in under,
  and a session older than the user's current epoch is refused by the middleware. This
  also covers engines that store nothing server-side (signed cookies).
"""

import contextlib
import time
from importlib import import_module

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.db import transaction
from django.db.models import F
from django.dispatch import receiver
from django.utils import timezone

from core.http import client_ip
from hiringplan.models import AccountState, UserSession

EPOCH_KEY = "hp_epoch"
LAST_SEEN_KEY = "hp_seen"
METHOD_KEY = "hp_method"  # "password" or "sso"
HAS_DEVICE_KEY = "hp_mfa"  # the user had a confirmed second factor when they signed in
# How often an active session writes down that it is still in use (a session write).
TOUCH_EVERY_SECONDS = 60


def user_epoch(user) -> int:
    try:
        return user.account_state.session_epoch
    except AccountState.DoesNotExist:
        return 0


def _session_store():
    return import_module(settings.SESSION_ENGINE).SessionStore


@transaction.atomic
def end_sessions(user) -> int:
    """End every session of ``user`` now; returns how many stored sessions were deleted."""
    state, _ = AccountState.objects.get_or_create(user=user)
    AccountState.objects.filter(pk=state.pk).update(session_epoch=F("session_epoch") + 1)
    # The user object may be the request's own: forget its cached epoch.
    with contextlib.suppress(AttributeError):
        del user.account_state
    store = _session_store()
    ended = 0
    for key in user.signed_in_sessions.values_list("session_key", flat=True):
        store(session_key=key).delete()
        ended += 1
    user.signed_in_sessions.all().delete()
    return ended


def session_is_current(request) -> bool:
    return request.session.get(EPOCH_KEY, 0) >= user_epoch(request.user)


def idle_for(request) -> float:
    seen = request.session.get(LAST_SEEN_KEY)
    return 0.0 if seen is None else time.time() - float(seen)


def is_background_poll(request) -> bool:
    """An open page asking whether the plan changed (templates/_live.html), not a person.

    It must not count as activity: else a tab left open would keep its session
    alive for ever and the idle sign-out would never come. (A client that forges
    the header only keeps its own session from being extended.)
    """
    return request.headers.get("HX-Trigger") == "live-check"


def touch(request):
    """Note that the session is in use, at most once a minute (each note is a session write)."""
    now = time.time()
    seen = request.session.get(LAST_SEEN_KEY)
    if seen is not None and now - float(seen) < TOUCH_EVERY_SECONDS:
        return
    request.session[LAST_SEEN_KEY] = now
    key = request.session.session_key
    if key and len(key) <= 40:
        UserSession.objects.filter(session_key=key).update(last_seen_at=timezone.now())


@receiver(user_logged_in, dispatch_uid="hiringplan_session_signed_in")
def _note_session(sender, request, user, **kwargs):
    if request is None or not hasattr(request, "session"):
        return
    from django_otp.plugins.otp_totp.models import TOTPDevice

    session = request.session
    session[EPOCH_KEY] = user_epoch(user)
    session[LAST_SEEN_KEY] = time.time()
    session.setdefault(METHOD_KEY, "password")
    session[HAS_DEVICE_KEY] = TOTPDevice.objects.filter(user=user, confirmed=True).exists()
    if session.session_key is None:
        session.save()
    key = session.session_key
    # Signed-cookie sessions keep nothing on the server to list or delete (their "key" is
    # the cookie itself): the epoch alone ends them.
    if key and len(key) <= UserSession._meta.get_field("session_key").max_length:
        UserSession.objects.update_or_create(
            session_key=key,
            defaults={
                "user": user,
                "method": session[METHOD_KEY],
                "ip_address": client_ip(request),
                "user_agent": request.META.get("HTTP_USER_AGENT", "")[:300],
            },
        )


@receiver(user_logged_out, dispatch_uid="hiringplan_session_signed_out")
def _forget_session(sender, request, user, **kwargs):
    key = getattr(getattr(request, "session", None), "session_key", None)
    if key and len(key) <= 40:
        UserSession.objects.filter(session_key=key).delete()
