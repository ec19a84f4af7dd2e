"""Accounts pages: sign-in, the second factor, one's own account, invitations, users, the audit.

Every view declares its access policy (core.permissions); the accounts middleware
adds the second-factor gate in front of all of them.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth import views as auth_views
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_otp import login as otp_login

from core.http import INVALID, uncompressed
from core.permissions import Capability, authenticated, is_admin, public, requires
from hiringplan.accounts import emails, mfa, sessions
from hiringplan.accounts.audit import record
from hiringplan.accounts.forms import (
    AcceptInvitationForm,
    AuditFilterForm,
    ChangePasswordForm,
    CodeForm,
    InvitationForm,
    NewPasswordForm,
    SetupCodeForm,
    SignInForm,
    UserGroupsForm,
)
from hiringplan.models import EventKind, Invitation, SignInEvent

User = get_user_model()


def _safe_next(request, fallback="home"):
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse(fallback)


def sign_in_context():
    return {
        "password_login": settings.PASSWORD_LOGIN,
        "sso": settings.OIDC_ENABLED,
        "provider_name": settings.OIDC_PROVIDER_NAME,
    }


# --- Signing in --------------------------------------------------------------------------


class SignInView(auth_views.LoginView):
    template_name = "registration/login.html"
    form_class = SignInForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), **sign_in_context()}


sign_in = public(SignInView.as_view())


@authenticated
@require_http_methods(["GET", "POST"])
def mfa_verify(request):
    """The second step of a password sign-in: a code from the app, or a recovery code."""
    user = request.user
    if user.is_verified() or request.session.get(sessions.METHOD_KEY) == "sso":
        return redirect(_safe_next(request))
    if not mfa.has_second_factor(user):
        # Reset by an admin since this session began: nothing to ask for (Admins set one up).
        request.session[sessions.HAS_DEVICE_KEY] = False
        return redirect(_safe_next(request))
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        if mfa.throttled(user):
            form.add_error("code", "Too many wrong codes: wait a few seconds, then try again.")
            record(EventKind.MFA_FAILED, request=request, user=user, detail="throttled")
        else:
            device, kind = mfa.verify(user, form.cleaned_data["code"])
            if device is not None:
                otp_login(request, device)
                if kind == "recovery":
                    left = mfa.recovery_codes_left(user)
                    record(EventKind.RECOVERY_CODE_USED, request=request, user=user,
                           detail=f"{left} left", actor=user)
                    messages.warning(
                        request,
                        f"You used a recovery code; {left} left. Make new ones on your account page"
                        " if you are running out.",
                    )
                else:
                    record(EventKind.MFA_VERIFIED, request=request, user=user, actor=user)
                return redirect(_safe_next(request))
            record(EventKind.MFA_FAILED, request=request, user=user, detail="wrong code",
                   actor=user)
            form.add_error("code", "That code is not right. Codes change every 30 seconds.")
    if form.errors:
        status = INVALID
    return TemplateResponse(
        request, "accounts/mfa_verify.html",
        {"form": form, "next": _safe_next(request)}, status=status,
    )


@uncompressed  # the pending key next to the ?next= it echoes (BREACH)
@authenticated
@require_http_methods(["GET", "POST"])
def mfa_setup(request):
    """Set up an authenticator app: scan (or type) the secret, confirm with a code."""
    user = request.user
    required = settings.MFA_REQUIRED_FOR_ADMINS and is_admin(user)
    if mfa.has_second_factor(user) and not user.is_verified():
        return redirect(f"{reverse('mfa_verify')}?next={reverse('mfa_setup')}")
    device = mfa.pending_totp(user)
    form = SetupCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["code"].replace(" ", "")
        allowed, _ = device.verify_is_allowed()
        if not allowed:
            form.add_error("code", "Too many wrong codes: wait a few seconds, then try again.")
        elif device.verify_token(code):
            codes = mfa.confirm(device)
            otp_login(request, device)
            request.session[sessions.HAS_DEVICE_KEY] = True
            record(EventKind.MFA_ADDED, request=request, user=user, actor=user)
            return TemplateResponse(
                request, "accounts/recovery_codes.html",
                {"codes": codes, "next": _safe_next(request, "account"), "first": True},
            )
        else:
            form.add_error("code", "That code is not right. Check the app and the phone's clock.")
    return TemplateResponse(
        request,
        "accounts/mfa_setup.html",
        {
            "form": form,
            "qr": mfa.qr_data_uri(device.config_url),
            "secret": mfa.secret_for_humans(device),
            "required": required,
            "next": _safe_next(request, "account"),
        },
        status=INVALID if form.errors else 200,
    )


@uncompressed
@authenticated
@require_POST
def recovery_codes(request):
    """New recovery codes (the old ones stop working), shown once."""
    user = request.user
    if not mfa.has_second_factor(user):
        return redirect("mfa_setup")
    codes = mfa.new_recovery_codes(user)
    record(EventKind.RECOVERY_CODES_RENEWED, request=request, user=user, actor=user)
    return TemplateResponse(
        request, "accounts/recovery_codes.html",
        {"codes": codes, "next": reverse("account"), "first": False},
    )


@authenticated
@require_POST
def mfa_remove(request):
    """Turn one's own second factor off; Admins must keep one (set up a new one instead)."""
    user = request.user
    if settings.MFA_REQUIRED_FOR_ADMINS and is_admin(user):
        messages.error(request, "Admins must keep a second factor. Set up a new one instead.")
        return redirect("account")
    if mfa.remove_all(user):
        request.session[sessions.HAS_DEVICE_KEY] = False
        record(EventKind.MFA_REMOVED, request=request, user=user, actor=user)
        messages.success(request, "Your second factor is off.")
    return redirect("account")


# --- One's own account -----------------------------------------------------------------


@authenticated
@require_GET
def account(request):
    user = request.user
    current = request.session.session_key
    return TemplateResponse(
        request,
        "accounts/account.html",
        {
            "sessions": user.signed_in_sessions.all(),
            "current_key": current,
            "has_second_factor": mfa.has_second_factor(user),
            "codes_left": mfa.recovery_codes_left(user),
            "mfa_required": settings.MFA_REQUIRED_FOR_ADMINS and is_admin(user),
            "sso_session": request.session.get(sessions.METHOD_KEY) == "sso",
            "has_password": user.has_usable_password(),
            "identities": user.oidc_identities.all(),
            "recent": SignInEvent.objects.filter(user=user)[:10],
            **sign_in_context(),
        },
    )


@authenticated
@require_POST
def sign_out_everywhere(request):
    """End every session of one's own, this one included (a lost laptop, a shared computer)."""
    user = request.user
    ended = sessions.end_sessions(user)
    record(EventKind.SIGNED_OUT_EVERYWHERE, request=request, user=user,
           detail=f"{ended} session(s) ended", actor=user)
    request.hp_signed_out_because = "signed out everywhere"
    from django.contrib.auth import logout

    logout(request)
    messages.info(request, "You are signed out on every device.")
    return redirect("login")


# --- Passwords: Django's own views, in the app's templates ------------------------------


def _passwords_on(view):
    """Password pages say so, instead of working, when password sign-in is off."""

    def wrapper(request, *args, **kwargs):
        if not settings.PASSWORD_LOGIN:
            return TemplateResponse(
                request, "accounts/passwords_off.html", sign_in_context(), status=404
            )
        return view(request, *args, **kwargs)

    wrapper.__name__ = getattr(view, "__name__", "password_view")
    wrapper.__doc__ = view.__doc__
    return wrapper


class PasswordChange(auth_views.PasswordChangeView):
    success_url = reverse_lazy("password_change_done")
    form_class = ChangePasswordForm

    def form_valid(self, form):
        response = super().form_valid(form)
        # Django keeps this session (update_session_auth_hash); the others end with it.
        record(EventKind.PASSWORD_CHANGED, request=self.request, user=self.request.user,
               actor=self.request.user)
        return response


class PasswordReset(auth_views.PasswordResetView):
    success_url = reverse_lazy("password_reset_done")
    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"

    def form_valid(self, form):
        email = form.cleaned_data["email"]
        users = list(form.get_users(email))
        response = super().form_valid(form)
        for user in users:
            record(EventKind.PASSWORD_RESET_SENT, request=self.request, user=user, actor=None)
        return response


class PasswordResetConfirm(auth_views.PasswordResetConfirmView):
    success_url = reverse_lazy("password_reset_complete")
    form_class = NewPasswordForm
    post_reset_login = False

    def form_valid(self, form):
        response = super().form_valid(form)
        user = form.user
        # A reset is what people do when they fear someone else knows the password.
        sessions.end_sessions(user)
        record(EventKind.PASSWORD_CHANGED, request=self.request, user=user,
               detail="through a reset link; other sessions ended", actor=user)
        return response


password_change = authenticated(_passwords_on(PasswordChange.as_view()))
password_change_done = authenticated(_passwords_on(auth_views.PasswordChangeDoneView.as_view()))
password_reset = public(_passwords_on(PasswordReset.as_view()))
password_reset_done = public(
    _passwords_on(
        auth_views.PasswordResetDoneView.as_view(
            extra_context={"timeout_minutes": settings.PASSWORD_RESET_TIMEOUT // 60}
        )
    )
)
password_reset_confirm = public(_passwords_on(PasswordResetConfirm.as_view()))
password_reset_complete = public(
    _passwords_on(auth_views.PasswordResetCompleteView.as_view())
)


# --- Invitations -------------------------------------------------------------------------


@requires(Capability.MANAGE_USERS)
@require_http_methods(["GET", "POST"])
def invitations(request):
    form = InvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            invitation, token = Invitation.issue(
                email=form.cleaned_data["email"],
                group=form.cleaned_data["group"],
                invited_by=request.user,
            )
            url = request.build_absolute_uri(reverse("invitation_accept", args=[token]))
            record(EventKind.INVITATION_SENT, request=request, username=invitation.email,
                   detail=f"as {invitation.group.name}, until {invitation.expires_at:%Y-%m-%d}")
        emails.send_invitation(invitation, url)
        messages.success(request, f"Invitation sent to {invitation.email}.")
        return redirect("invitations")
    return TemplateResponse(
        request,
        "accounts/invitations.html",
        {
            "form": form,
            "invitations": Invitation.objects.select_related("group", "invited_by",
                                                             "accepted_by")[:100],
            "days": settings.INVITATION_DAYS,
            **sign_in_context(),
        },
        status=INVALID if form.errors else 200,
    )


@requires(Capability.MANAGE_USERS)
@require_POST
def invitation_revoke(request, invitation_id):
    invitation = get_object_or_404(Invitation, pk=invitation_id)
    if invitation.usable:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
        record(EventKind.INVITATION_REVOKED, request=request, username=invitation.email)
        messages.success(request, f"The invitation to {invitation.email} no longer works.")
    return redirect("invitations")


@public
@require_http_methods(["GET", "POST"])
def invitation_accept(request, token):
    """The invitee's one-time link: choose a username and password, or use single sign-on."""
    invitation = Invitation.for_token(token)
    if invitation is None or not invitation.usable:
        state = invitation.state if invitation else "unknown"
        return TemplateResponse(
            request, "accounts/invitation_unusable.html", {"state": state}, status=410
            if state in ("accepted", "expired", "revoked") else 404,
        )
    if request.user.is_authenticated:
        return TemplateResponse(
            request, "accounts/invitation_unusable.html", {"state": "signed_in"}, status=409
        )
    context = {"invitation": invitation, **sign_in_context()}
    if not settings.PASSWORD_LOGIN:
        return TemplateResponse(request, "accounts/invitation_accept.html", context)
    form = AcceptInvitationForm(request.POST or None, email=invitation.email,
                                initial={"username": invitation.email.split("@")[0]})
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            fresh = Invitation.objects.select_for_update().get(pk=invitation.pk)
            if not fresh.usable:  # Accepted in another tab a moment ago.
                return TemplateResponse(
                    request, "accounts/invitation_unusable.html", {"state": fresh.state},
                    status=410,
                )
            user = User.objects.create_user(
                form.cleaned_data["username"], email=invitation.email,
                password=form.cleaned_data["password1"],
            )
            user._hp_group_reason = "invitation"
            user.groups.add(invitation.group)
            fresh.accepted_at = timezone.now()
            fresh.accepted_by = user
            fresh.save(update_fields=["accepted_at", "accepted_by"])
            record(EventKind.INVITATION_ACCEPTED, request=request, user=user,
                   detail=f"as {invitation.group.name}", actor=user)
        login(request, user, backend="hiringplan.accounts.backends.PasswordBackend")
        messages.success(request, "Welcome! Your account is ready.")
        return redirect("home")
    context["form"] = form
    return TemplateResponse(request, "accounts/invitation_accept.html", context,
                            status=INVALID if form.errors else 200)


# --- Users -------------------------------------------------------------------------------


@requires(Capability.MANAGE_USERS)
@require_GET
def user_list(request):
    query = (request.GET.get("q") or "").strip()[:100]
    users = (
        User.objects.order_by("-is_active", "username")
        .prefetch_related("groups", "oidc_identities")
        .annotate(session_count=Count("signed_in_sessions", distinct=True))
    )
    if query:
        users = users.filter(
            Q(username__icontains=query) | Q(email__icontains=query)
            | Q(first_name__icontains=query) | Q(last_name__icontains=query)
        )
    with_factor = set(
        mfa.TOTPDevice.objects.filter(confirmed=True).values_list("user_id", flat=True)
    )
    page = Paginator(users, 50).get_page(request.GET.get("page"))
    return TemplateResponse(
        request, "accounts/users.html",
        {"page": page, "query": query, "with_factor": with_factor},
    )


def _user_page(request, person, form=None, status=200):
    return TemplateResponse(
        request,
        "accounts/user_detail.html",
        {
            "person": person,
            "form": form or UserGroupsForm(initial={"groups": person.groups.all()}),
            "sessions": person.signed_in_sessions.all(),
            "has_second_factor": mfa.has_second_factor(person),
            "codes_left": mfa.recovery_codes_left(person),
            "identities": person.oidc_identities.all(),
            "events": SignInEvent.objects.filter(Q(user=person) | Q(actor=person))
            .select_related("user", "actor")[:30],
            "group_sync": settings.OIDC_ENABLED and bool(settings.OIDC_GROUP_MAP),
            "is_self": person.pk == request.user.pk,
        },
        status=status,
    )


@requires(Capability.MANAGE_USERS)
@require_http_methods(["GET", "POST"])
def user_detail(request, user_id):
    """One person: their groups (edited here), sessions, second factor and recent events."""
    person = get_object_or_404(User.objects.prefetch_related("groups"), pk=user_id)
    if request.method == "POST":
        form = UserGroupsForm(request.POST)
        if not form.is_valid():
            return _user_page(request, person, form, status=INVALID)
        wanted = set(form.cleaned_data["groups"])
        held = set(person.groups.filter(pk__in=[g.pk for g in form.fields["groups"].queryset]))
        if person.pk == request.user.pk and not any(g.name == "Admins" for g in wanted) \
                and any(g.name == "Admins" for g in held) and not person.is_superuser:
            form.add_error("groups", "You cannot take yourself out of Admins; ask another admin.")
            return _user_page(request, person, form, status=INVALID)
        person._hp_group_reason = "by an admin"
        with transaction.atomic():
            if held - wanted:
                person.groups.remove(*(held - wanted))
            if wanted - held:
                person.groups.add(*(wanted - held))
        messages.success(request, f"Groups of {person.get_username()} saved.")
        return redirect("user_detail", user_id=person.pk)
    return _user_page(request, person)


@requires(Capability.MANAGE_USERS)
@require_POST
def user_action(request, user_id, action):
    """Deactivate or reactivate, sign out everywhere, or reset a lost second factor."""
    person = get_object_or_404(User, pk=user_id)
    name = person.get_username()
    if action == "deactivate":
        if person.pk == request.user.pk:
            messages.error(request, "You cannot deactivate yourself.")
        elif person.is_active:
            person.is_active = False
            # Saving it ends every session of theirs (see hiringplan.accounts.audit).
            person.save(update_fields=["is_active"])
            if person.email:  # An open invitation would let them back in.
                Invitation.objects.open().filter(email__iexact=person.email).update(
                    revoked_at=timezone.now()
                )
            messages.success(request, f"{name} is deactivated and signed out everywhere.")
    elif action == "reactivate":
        if not person.is_active:
            person.is_active = True
            person.save(update_fields=["is_active"])
            messages.success(request, f"{name} can sign in again.")
    elif action == "sign-out":
        ended = sessions.end_sessions(person)
        record(EventKind.SIGNED_OUT_EVERYWHERE, request=request, user=person,
               detail=f"{ended} session(s) ended by an admin")
        messages.success(request, f"{name} is signed out everywhere.")
        if person.pk == request.user.pk:
            return redirect("login")
    elif action == "reset-mfa":
        if mfa.remove_all(person):
            ended = sessions.end_sessions(person)
            record(EventKind.MFA_RESET, request=request, user=person,
                   detail=f"{ended} session(s) ended")
            messages.success(
                request,
                f"{name}'s second factor is reset and their sessions ended. They sign in with "
                "their password and set up a new one.",
            )
            if person.pk == request.user.pk:
                return redirect("login")
        else:
            messages.info(request, f"{name} has no second factor.")
    else:
        return TemplateResponse(request, "errors/404.html", status=404)
    return redirect("user_detail", user_id=person.pk)


# --- The sign-in audit ---------------------------------------------------------------------


@requires(Capability.MANAGE_USERS)
@require_GET
def audit(request):
    form = AuditFilterForm(request.GET or None)
    events = SignInEvent.objects.select_related("user", "actor")
    if form.is_valid():
        if form.cleaned_data["kind"]:
            events = events.filter(kind=form.cleaned_data["kind"])
        if form.cleaned_data["user"]:
            who = form.cleaned_data["user"]
            events = events.filter(Q(username__iexact=who) | Q(user__username__iexact=who)
                                   | Q(actor__username__iexact=who))
    page = Paginator(events, 100).get_page(request.GET.get("page"))
    return TemplateResponse(
        request, "accounts/audit.html",
        {"form": form, "page": page, "days": settings.SIGN_IN_AUDIT_DAYS},
    )

