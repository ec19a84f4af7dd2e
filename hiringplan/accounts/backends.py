"""Authentication backends: passwords (unless turned off) and the company's identity provider.

Both load the user with its account state and group names in one plain statement
(``_load_user``), so the middleware's session-epoch check and the second-factor gate cost
no query of their own.
"""

import functools
import logging

import jwt
import requests
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import IntegrityError, connections, router, transaction
from django.utils import timezone
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from core.loading import RowReader
from core.permissions import GROUP_NAMES, GroupPolicyBackend
from hiringplan.accounts import oidc
from hiringplan.models import AccountState, Invitation, OIDCIdentity

logger = logging.getLogger(__name__)

# The demo users' shared password (hiringplan.management.commands.create_demo_users).
DEMO_PASSWORD = "demo-password"  # noqa: S105 - refused when DEBUG is off, which is the point


def _load_user(user_id):
    """The session's user, its account state and its group names, in one plain statement.

    Every signed-in request loads its user; through the ORM that was two queries (the
    user with its account state, then the groups the second-factor gate and the menus
    ask for) whose compilation cost more than running them (bench/live.py). The account
    state is cached on the user as ``select_related`` would (the session-epoch check
    reads it), and the group names as ``core.permissions.capabilities_of`` reads them.
    """
    User = get_user_model()
    alias = router.db_for_read(User)
    connection = connections[alias]
    users, states = _readers()
    sql = _USER_SQL.get(alias) or _USER_SQL.setdefault(alias, _user_statement(connection))
    with connection.cursor() as cursor:
        cursor.execute(sql, [user_id])
        rows = cursor.fetchall()
    if not rows:
        return None
    user = users.instance(rows[0], connection)
    state = states.instance(rows[0], connection, users.width)
    User.account_state.related.set_cached_value(user, state)
    if state is not None:
        AccountState.user.field.set_cached_value(state, user)
    user._hiringplan_group_names = frozenset(row[-1] for row in rows if row[-1] is not None)
    return user


_USER_SQL: dict[str, str] = {}  # {database alias: the statement}


@functools.cache
def _readers() -> tuple[RowReader, RowReader]:
    return RowReader(get_user_model(), "u"), RowReader(AccountState, "s")


def _user_statement(connection) -> str:
    User = get_user_model()
    users, states = _readers()
    quote = connection.ops.quote_name
    through = User.groups.through._meta
    user_column = quote(through.get_field("user").column)
    group_column = quote(through.get_field("group").column)
    # Table and column names from the models (quoted); the user id a parameter.
    return (
        f"SELECT {users.select(connection)}, {states.select(connection)}, "  # noqa: S608
        f"g.{quote('name')} FROM {quote(User._meta.db_table)} u "
        f"LEFT JOIN {quote(AccountState._meta.db_table)} s ON s.{quote('user_id')} = u.id "
        f"LEFT JOIN {quote(through.db_table)} ug ON ug.{user_column} = u.id "
        f"LEFT JOIN {quote(Group._meta.db_table)} g ON g.id = ug.{group_column} "
        "WHERE u.id = %s"
    )


class PasswordBackend(GroupPolicyBackend):
    """Username and password, with the Admins group's model permissions (GroupPolicyBackend).

    Refuses everyone when ``PASSWORD_LOGIN`` is off (the company signs in through its
    identity provider), and refuses the demo users' published password when DEBUG is off.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None or password is None:
            return None
        if request is not None:
            request.hp_password_checked = True  # django-axes did not refuse it first
        if not settings.PASSWORD_LOGIN:
            if request is not None:
                request.hp_refusal = "password sign-in is turned off"
            return None
        if not settings.DEBUG and password == DEMO_PASSWORD:
            if request is not None:
                request.hp_refusal = "demo password refused with DEBUG off"
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)

    def get_user(self, user_id):
        user = _load_user(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None


class SignInRefused(Exception):
    """The identity provider's answer was refused; ``reason`` is shown to the person."""

    def __init__(self, reason: str, *, detail: str = "", status: int = 400):
        super().__init__(detail or reason)
        self.reason = reason
        self.detail = detail or reason
        self.status = status


class OIDCBackend(OIDCAuthenticationBackend):
    """OpenID Connect with full ID token validation, stable identities and group mapping.

    mozilla-django-oidc checks the signature, the expiry and the nonce but, as shipped
    (5.x), neither the audience nor the issuer; both are checked here, so a token the
    provider issued to another application, or one from another issuer, is refused.
    Users are found by (issuer, ``sub``); the e-mail address only links a first
    sign-in to an invited user, and only when the provider says it is verified.
    """

    def __init__(self, *args, **kwargs):
        # Endpoints come from the provider's discovery document when first needed,
        # not from settings at import time (see hiringplan.accounts.oidc).
        self.UserModel = get_user_model()
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID
        self.OIDC_RP_CLIENT_SECRET = settings.OIDC_RP_CLIENT_SECRET
        self.OIDC_RP_SIGN_ALGO = settings.OIDC_RP_SIGN_ALGO
        self.OIDC_RP_IDP_SIGN_KEY = None

    # Only the callback view authenticates through this backend: it passes the nonce.
    def authenticate(self, request, **kwargs):
        if not settings.OIDC_ENABLED or request is None or "nonce" not in kwargs:
            return None
        metadata = oidc.provider_metadata()
        self.OIDC_OP_TOKEN_ENDPOINT = metadata["token_endpoint"]
        self.OIDC_OP_USER_ENDPOINT = metadata["userinfo_endpoint"]
        self.OIDC_OP_JWKS_ENDPOINT = metadata["jwks_uri"]
        try:
            return super().authenticate(request, **kwargs)
        except requests.HTTPError as error:
            answer = _provider_error(error.response)
            if str(error.response.url).startswith(self.OIDC_OP_TOKEN_ENDPOINT):
                raise SignInRefused(
                    "Your identity provider did not accept this sign-in "
                    "(its code may have been used already). Please sign in again.",
                    detail=f"token endpoint refused: {answer}",
                ) from None
            raise SignInRefused(
                "Your identity provider did not give this app your details. Please sign in again.",
                detail=f"provider refused: {answer}",
            ) from None
        except requests.RequestException as error:
            raise SignInRefused(
                "Your identity provider could not be reached. Please try again in a minute.",
                detail=f"provider unreachable: {type(error).__name__}",
                status=502,
            ) from None

    def get_user(self, user_id):
        user = _load_user(user_id)
        return user if user is not None and user.is_active else None

    # --- The ID token ----------------------------------------------------------------------

    def verify_token(self, token, **kwargs):
        if not token:
            raise SignInRefused("Your identity provider sent no ID token.")
        nonce = kwargs.get("nonce")
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise SignInRefused("The ID token is not a valid token.") from None
        if header.get("alg") != self.OIDC_RP_SIGN_ALGO:
            raise SignInRefused(
                "The ID token is signed with an algorithm this app does not accept.",
                detail=f"alg {header.get('alg')!r}",
            )
        try:
            key = self.retrieve_matching_jwk(token)
        except requests.RequestException:
            raise
        except Exception:
            raise SignInRefused(
                "The ID token is not signed by a key of your identity provider.",
                detail="no matching key in the provider's JWKS",
            ) from None
        try:
            payload = jwt.decode(
                token,
                key,
                algorithms=[self.OIDC_RP_SIGN_ALGO],
                audience=self.OIDC_RP_CLIENT_ID,
                issuer=settings.OIDC_ISSUER,
                leeway=settings.OIDC_CLOCK_LEEWAY_SECONDS,
                options={"require": ["exp", "iat", "iss", "aud", "sub"]},
            )
        except jwt.ExpiredSignatureError:
            raise SignInRefused(
                "The sign-in from your identity provider has expired. Please sign in again.",
                detail="ID token expired",
            ) from None
        except jwt.InvalidAudienceError:
            raise SignInRefused(
                "The ID token was issued for another application, not this one.",
                detail="ID token audience is not our client id",
            ) from None
        except jwt.InvalidIssuerError:
            raise SignInRefused(
                "The ID token comes from an identity provider this app does not trust.",
                detail="unknown issuer",
            ) from None
        except jwt.PyJWTError as error:
            raise SignInRefused(
                "The ID token could not be verified.", detail=f"{type(error).__name__}"
            ) from None
        # With several audiences, the token must be meant for us (OIDC Core 3.1.3.7).
        audiences = payload["aud"] if isinstance(payload["aud"], list) else [payload["aud"]]
        if len(audiences) > 1 and payload.get("azp") != self.OIDC_RP_CLIENT_ID:
            raise SignInRefused(
                "The ID token was issued for another application, not this one.",
                detail="azp is not our client id",
            )
        if nonce is None or payload.get("nonce") != nonce:
            raise SignInRefused(
                "This sign-in does not match the one started in this browser.",
                detail="nonce mismatch",
            )
        self._id_claims = payload
        return payload

    # --- The user --------------------------------------------------------------------------

    def get_or_create_user(self, access_token, id_token, payload):
        userinfo = self.get_userinfo(access_token, id_token, payload)
        if userinfo.get("sub") != payload["sub"]:
            raise SignInRefused(
                "Your identity provider's answers disagree.", detail="userinfo sub mismatch"
            )
        claims = {**payload, **userinfo}
        with transaction.atomic():
            user = self._user_for(claims)
            if not user.is_active:
                raise SignInRefused(
                    "Your account here has been deactivated. Ask an admin if this is wrong.",
                    detail="deactivated user",
                    status=403,
                )
            self._sync_groups(user, claims)
        return user

    def _user_for(self, claims):
        issuer, subject = settings.OIDC_ISSUER, claims["sub"]
        identity = (
            OIDCIdentity.objects.select_related("user")
            .filter(issuer=issuer, subject=subject)
            .first()
        )
        email = (claims.get("email") or "").strip()
        verified = claims.get("email_verified") is True
        if identity is None:
            user = None
            if email and verified:
                matches = list(self.UserModel.objects.filter(email__iexact=email)[:2])
                if len(matches) > 1:
                    raise SignInRefused(
                        "Two accounts here share your e-mail address; ask an admin to merge them.",
                        detail=f"several users with {email}",
                    )
                user = matches[0] if matches else None
            invited = bool(email and verified
                           and Invitation.objects.open().filter(email__iexact=email).exists())
            if user is None:
                if not (settings.OIDC_CREATE_USERS or invited):
                    raise SignInRefused(
                        "You have no account here yet. Ask an admin for an invitation.",
                        detail="unknown user and OIDC_CREATE_USERS is off",
                        status=403,
                    )
                user = self._create(claims, email if verified else "")
            identity = OIDCIdentity.objects.create(user=user, issuer=issuer, subject=subject)
        user = identity.user
        changed = []
        name = claims.get("name") or ""
        given, family = claims.get("given_name") or "", claims.get("family_name") or ""
        if not (given or family) and name:
            given, _, family = name.partition(" ")
        for field, value in (("email", email if verified else ""), ("first_name", given),
                             ("last_name", family)):
            value = value[: self.UserModel._meta.get_field(field).max_length]
            if value and getattr(user, field) != value:
                setattr(user, field, value)
                changed.append(field)
        if changed:
            user.save(update_fields=changed)
        identity.last_sign_in_at = timezone.now()
        identity.last_groups = sorted(self._idp_groups(claims))[:100]
        identity.save(update_fields=["last_sign_in_at", "last_groups"])
        self._accept_invitation(user, email if verified else "")
        return user

    def _create(self, claims, email):
        base = (claims.get("preferred_username") or email or f"sso-{claims['sub']}")[:140]
        username = base
        for n in range(2, 100):
            try:
                with transaction.atomic():
                    user = self.UserModel.objects.create_user(username, email=email)
                break
            except IntegrityError:
                username = f"{base}-{n}"
        else:  # pragma: no cover
            raise SignInRefused("Could not choose a username for you; ask an admin.")
        user.set_unusable_password()
        user.save(update_fields=["password"])
        return user

    def _accept_invitation(self, user, email):
        """An invitee who signs in through the provider has accepted their invitation."""
        if not email:
            return
        for invitation in Invitation.objects.open().filter(email__iexact=email):
            invitation.accepted_at = timezone.now()
            invitation.accepted_by = user
            invitation.save(update_fields=["accepted_at", "accepted_by"])
            if not settings.OIDC_GROUP_MAP:
                user._hp_group_reason = "invitation"
                user.groups.add(invitation.group)
            from hiringplan.accounts.audit import EventKind, record

            record(EventKind.INVITATION_ACCEPTED, request=self.request, user=user,
                   detail=f"through single sign-on, as {invitation.group.name}", actor=user)

    @staticmethod
    def _idp_groups(claims) -> set[str]:
        raw = claims.get(settings.OIDC_GROUPS_CLAIM)
        if isinstance(raw, str):
            return {part.strip() for part in raw.replace(",", " ").split() if part.strip()}
        if isinstance(raw, list | tuple):
            return {str(item) for item in raw}
        return set()

    def _sync_groups(self, user, claims):
        """With ``OIDC_GROUP_MAP`` set the provider decides the app groups at every sign-in:
        a user removed from the provider's group loses the app group now."""
        mapping = settings.OIDC_GROUP_MAP
        if not mapping:
            return
        wanted = {mapping[g] for g in self._idp_groups(claims) if g in mapping}
        held = set(user.groups.filter(name__in=GROUP_NAMES).values_list("name", flat=True))
        user._hp_group_reason = "from the identity provider"
        if held - wanted:
            user.groups.remove(*Group.objects.filter(name__in=held - wanted))
        if wanted - held:
            user.groups.add(*Group.objects.filter(name__in=wanted - held))
        user._hiringplan_capabilities = None
        user._hiringplan_group_names = None


def _provider_error(response) -> str:
    try:
        body = response.json()
        said = f"{body.get('error', '')}: {body.get('error_description', '')}"
        return f"{response.status_code} {said}"
    except ValueError:
        return f"{response.status_code}"
