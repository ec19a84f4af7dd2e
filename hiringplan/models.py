"""Site models: accounts' state beyond Django's user, invitations and the sign-in audit."""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import models
from django.utils import timezone


class AccountState(models.Model):
    """What the app keeps about a user beyond Django's ``User`` row.

    ``session_epoch`` ends every session of a user at once, whatever the session
    engine: each session remembers the epoch it was signed in under, and the
    accounts middleware refuses a session whose epoch is older than the user's.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="account_state"
    )
    session_epoch = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"{self.user} (epoch {self.session_epoch})"


class UserSession(models.Model):
    """One signed-in session of a user: listed on their account page, ended one by one or all."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="signed_in_sessions"
    )
    session_key = models.CharField(max_length=40, unique=True)
    method = models.CharField(max_length=20, default="password")
    created_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(default=timezone.now)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-last_seen_at"]

    def __str__(self):
        return f"{self.user} since {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def device(self) -> str:
        """"Firefox on macOS": enough for a person to recognise their own devices."""
        agent = self.user_agent
        browser = next(
            (name for token, name in (("Edg/", "Edge"), ("Firefox/", "Firefox"),
                                      ("Chrome/", "Chrome"), ("Safari/", "Safari"))
             if token in agent),
            "A browser",
        )
        system = next(
            (name for token, name in (("iPhone", "iPhone"), ("iPad", "iPad"),
                                      ("Android", "Android"), ("Windows", "Windows"),
                                      ("Mac OS X", "macOS"), ("Linux", "Linux"))
             if token in agent),
            "",
        )
        return f"{browser} on {system}" if system else browser

    @property
    def active_now(self) -> bool:
        return timezone.now() - self.last_seen_at < timedelta(minutes=2)


class OIDCIdentity(models.Model):
    """The identity provider's account (issuer + subject) a user signs in as.

    Matched on the stable ``sub``, not the e-mail address, which people change and
    companies reuse; the address only links a first sign-in to an invited user.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="oidc_identities"
    )
    issuer = models.CharField(max_length=300)
    subject = models.CharField(max_length=255)
    created_at = models.DateTimeField(default=timezone.now)
    last_sign_in_at = models.DateTimeField(null=True, blank=True)
    last_groups = models.JSONField(default=list, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["issuer", "subject"], name="oidc_identity_unique")
        ]
        verbose_name_plural = "OIDC identities"

    def __str__(self):
        return f"{self.subject} at {self.issuer}"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class InvitationQuerySet(models.QuerySet):
    def open(self):
        return self.filter(
            accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now()
        )


class Invitation(models.Model):
    """An admin's invitation of a person, by e-mail, into one group.

    The link's token is shown once (in the e-mail) and only its hash is kept, so a
    database dump gives no usable links. One use: accepting stamps ``accepted_at``.
    """

    email = models.EmailField()
    group = models.ForeignKey(Group, on_delete=models.PROTECT)
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.email} as {self.group}"

    @classmethod
    def issue(cls, *, email: str, group: Group, invited_by) -> tuple["Invitation", str]:
        """A new invitation and its one-time token (the only time the token exists in clear)."""
        token = secrets.token_urlsafe(32)
        invitation = cls.objects.create(
            email=email,
            group=group,
            invited_by=invited_by,
            token_hash=hash_token(token),
            expires_at=timezone.now() + timedelta(days=settings.INVITATION_DAYS),
        )
        return invitation, token

    @classmethod
    def for_token(cls, token: str) -> "Invitation | None":
        return cls.objects.select_related("group").filter(token_hash=hash_token(token)).first()

    @property
    def state(self) -> str:
        if self.accepted_at:
            return "accepted"
        if self.revoked_at:
            return "revoked"
        if self.expires_at <= timezone.now():
            return "expired"
        return "open"

    @property
    def usable(self) -> bool:
        return self.state == "open"


class EventKind(models.TextChoices):
    SIGNED_IN = "signed_in", "Signed in"
    SIGN_IN_FAILED = "sign_in_failed", "Sign-in failed"
    LOCKED_OUT = "locked_out", "Locked out"
    SIGNED_OUT = "signed_out", "Signed out"
    SSO_REFUSED = "sso_refused", "Single sign-on refused"
    IDLE_TIMEOUT = "idle_timeout", "Signed out after being idle"
    SIGNED_OUT_EVERYWHERE = "signed_out_everywhere", "Signed out everywhere"
    GROUP_ADDED = "group_added", "Added to a group"
    GROUP_REMOVED = "group_removed", "Removed from a group"
    INVITATION_SENT = "invitation_sent", "Invitation sent"
    INVITATION_ACCEPTED = "invitation_accepted", "Invitation accepted"
    INVITATION_REVOKED = "invitation_revoked", "Invitation revoked"
    MFA_ADDED = "mfa_added", "Second factor set up"
    MFA_VERIFIED = "mfa_verified", "Second factor accepted"
    MFA_FAILED = "mfa_failed", "Second factor refused"
    RECOVERY_CODE_USED = "recovery_code_used", "Recovery code used"
    RECOVERY_CODES_RENEWED = "recovery_codes_renewed", "New recovery codes"
    MFA_REMOVED = "mfa_removed", "Second factor removed"
    MFA_RESET = "mfa_reset", "Second factor reset by an admin"
    PASSWORD_CHANGED = "password_changed", "Password changed"
    PASSWORD_RESET_SENT = "password_reset_sent", "Password reset requested"
    DEACTIVATED = "deactivated", "Deactivated"
    REACTIVATED = "reactivated", "Reactivated"


class SignInEventQuerySet(models.QuerySet):
    def older_than(self, days: int):
        return self.filter(at__lt=timezone.now() - timedelta(days=days))


class SignInEvent(models.Model):
    """One line of the sign-in audit: what happened to which account, from where, by whom."""

    at = models.DateTimeField(default=timezone.now, db_index=True)
    kind = models.CharField(max_length=30, choices=EventKind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="sign_in_events",
    )
    # The name tried or held at the time: kept when the user is deleted or never existed.
    username = models.CharField(max_length=150, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    detail = models.CharField(max_length=300, blank=True)

    objects = SignInEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["user", "-at"], name="signin_event_user_at")]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_kind_display()} {self.username}"
