"""The sign-in audit: one ``SignInEvent`` per sign-in, refusal, lockout, group change,
invitation, second-factor event and leaver action, with time, user and client address.

Events are written from Django's and django-axes' signals and from the accounts views,
so a sign-in through the Django admin's form, a group changed in the Django admin or
in a shell, and a lockout are all recorded without each caller remembering to.
"""

import contextvars
import logging
import time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db import DatabaseError
from django.db.models.signals import m2m_changed, post_save, pre_save
from django.dispatch import receiver

from core.http import client_ip
from hiringplan.models import EventKind, SignInEvent

logger = logging.getLogger(__name__)

# The request being served, so that signal receivers (a group changed in the Django
# admin) can name who did it and from where. Set by the accounts middleware.
current_request: contextvars.ContextVar = contextvars.ContextVar("current_request", default=None)

PRUNE_EVERY_SECONDS = 3600
_last_prune: float | None = None


def record(kind: EventKind, *, request=None, user=None, username: str = "", detail: str = "",
           actor=None) -> SignInEvent:
    """Write one audit event. ``request`` gives the client address and, by default, the actor."""
    request = request if request is not None else current_request.get()
    if actor is None and request is not None:
        who = getattr(request, "user", None)
        if who is not None and who.is_authenticated and (user is None or who.pk != user.pk):
            actor = who
    if user is not None and not username:
        username = user.get_username()
    event = SignInEvent.objects.create(
        kind=kind,
        user=user if user is not None and user.pk else None,
        username=(username or "")[:150],
        actor=actor,
        ip_address=client_ip(request) if request is not None else None,
        detail=detail[:300],
    )
    _maybe_prune()
    return event


def prune(days: int | None = None) -> int:
    """Delete events older than ``SIGN_IN_AUDIT_DAYS``; returns how many went."""
    deleted, _ = SignInEvent.objects.older_than(days or settings.SIGN_IN_AUDIT_DAYS).delete()
    return deleted


def _maybe_prune():
    """Keep the audit within its retention without a cron job: at most once an hour per process."""
    global _last_prune
    now = time.monotonic()
    if _last_prune is not None and now - _last_prune < PRUNE_EVERY_SECONDS:
        return
    _last_prune = now
    try:
        prune()
    except DatabaseError:  # pragma: no cover - pruning must never fail a sign-in
        logger.exception("Could not prune the sign-in audit")


# --- Django's and django-axes' signals -----------------------------------------------------


@receiver(user_logged_in, dispatch_uid="hiringplan_audit_logged_in")
def _signed_in(sender, request, user, **kwargs):
    method = getattr(request, "session", {}).get("hp_method", "password") if request else ""
    record(EventKind.SIGNED_IN, request=request, user=user, detail=f"with {method}", actor=user)


@receiver(user_logged_out, dispatch_uid="hiringplan_audit_logged_out")
def _signed_out(sender, request, user, **kwargs):
    if user is not None:
        reason = getattr(request, "hp_signed_out_because", "") if request else ""
        kind = EventKind.IDLE_TIMEOUT if reason == "idle" else EventKind.SIGNED_OUT
        detail = "idle timeout" if reason == "idle" else reason
        record(kind, request=request, user=user, detail=detail, actor=user)


@receiver(user_login_failed, dispatch_uid="hiringplan_audit_login_failed")
def _sign_in_failed(sender, credentials, request=None, **kwargs):
    username = credentials.get("username") or ""
    user = get_user_model().objects.filter(username=username).first() if username else None
    reason = getattr(request, "hp_refusal", "") if request is not None else ""
    if request is not None and not getattr(request, "hp_password_checked", True):
        # django-axes refused before any password was checked.
        reason = "refused while locked out"
    record(
        EventKind.SIGN_IN_FAILED,
        request=request,
        user=user,
        username=username,
        detail=reason or "wrong username or password",
        actor=None,
    )


def _locked_out(sender, request=None, username=None, ip_address=None, **kwargs):
    user = get_user_model().objects.filter(username=username).first() if username else None
    record(
        EventKind.LOCKED_OUT,
        request=request,
        user=user,
        username=username or "",
        detail=f"after {settings.AXES_FAILURE_LIMIT} failures",
        actor=None,
    )


try:  # django-axes' own signal, sent when it locks an account out from an address.
    from axes.signals import user_locked_out

    user_locked_out.connect(_locked_out, dispatch_uid="hiringplan_audit_locked_out")
except ImportError:  # pragma: no cover
    pass


@receiver(m2m_changed, sender=get_user_model().groups.through, dispatch_uid="hiringplan_groups")
def _groups_changed(sender, instance, action, reverse, pk_set, **kwargs):
    """Every change of a user's groups, whoever makes it (SSO, invitation, admin, shell)."""
    if reverse or action not in ("post_add", "post_remove", "pre_clear"):
        return
    if action == "pre_clear":
        # ``user.groups.clear()`` or ``set()`` on a form: name the groups being removed.
        pk_set = set(instance.groups.values_list("pk", flat=True))
        kind = EventKind.GROUP_REMOVED
    else:
        kind = EventKind.GROUP_ADDED if action == "post_add" else EventKind.GROUP_REMOVED
    if not pk_set:
        return
    reason = getattr(instance, "_hp_group_reason", "")
    for name in Group.objects.filter(pk__in=pk_set).order_by("name").values_list("name", flat=True):
        record(kind, user=instance, detail=f"{name}{' (' + reason + ')' if reason else ''}")


@receiver(pre_save, sender=get_user_model(), dispatch_uid="hiringplan_user_active_before")
def _remember_active(sender, instance, update_fields=None, **kwargs):
    if update_fields is not None and "is_active" not in update_fields:
        return  # e.g. the last_login stamp of every sign-in: no extra query.
    if instance.pk:
        was = sender.objects.filter(pk=instance.pk).values_list("is_active", flat=True).first()
        instance._hp_was_active = was


@receiver(post_save, sender=get_user_model(), dispatch_uid="hiringplan_user_active_after")
def _active_changed(sender, instance, created, **kwargs):
    """A leaver deactivated anywhere (the users page, the Django admin) loses every session."""
    was = getattr(instance, "_hp_was_active", None)
    if created or was is None or was == instance.is_active:
        return
    from hiringplan.accounts.sessions import end_sessions

    if not instance.is_active:
        ended = end_sessions(instance)
        record(EventKind.DEACTIVATED, user=instance, detail=f"{ended} session(s) ended")
    else:
        record(EventKind.REACTIVATED, user=instance)
