"""Forms of the accounts pages."""

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm, SetPasswordForm
from django.contrib.auth.models import Group

from core.permissions import GROUP_NAMES
from hiringplan.accounts.backends import DEMO_PASSWORD
from hiringplan.models import EventKind

# Django's validators, said in one line (its help text is a list, which our field help,
# a paragraph, cannot hold).
HOW_TO_CHOOSE = (
    "At least 8 characters; not a common password, not only digits, and not like your "
    "username or e-mail address."
)


class NewPasswordForm(SetPasswordForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].help_text = HOW_TO_CHOOSE


class ChangePasswordForm(PasswordChangeForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].help_text = HOW_TO_CHOOSE


class SignInForm(AuthenticationForm):
    """Django's sign-in form, with clear words for the two refusals the app adds."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "password_off": "Password sign-in is turned off here: sign in with %(provider)s.",
        "demo": "The demo accounts work only in development (DEBUG on); they are refused here.",
    }

    def clean(self):
        if self.request is not None:
            # Set by the password backend when it runs; django-axes may refuse first.
            self.request.hp_password_checked = False
        if not settings.PASSWORD_LOGIN:
            raise forms.ValidationError(
                self.error_messages["password_off"],
                code="password_off",
                params={"provider": settings.OIDC_PROVIDER_NAME},
            )
        if not settings.DEBUG and self.cleaned_data.get("password") == DEMO_PASSWORD:
            # The backend refuses it too (the Django admin's form, a script); this says why.
            from django.contrib.auth import authenticate

            authenticate(self.request, username=self.cleaned_data.get("username"),
                         password=DEMO_PASSWORD)  # counts as a failure for throttling and audit
            raise forms.ValidationError(self.error_messages["demo"], code="demo")
        return super().clean()


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Code",
        max_length=40,
        strip=True,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True,
                   "spellcheck": "false", "autocapitalize": "off"}
        ),
        help_text="The 6 digits your authenticator app shows, or one of your recovery codes.",
    )


class SetupCodeForm(forms.Form):
    code = forms.RegexField(
        label="Code from the app",
        regex=r"^\s*\d{3}\s?\d{3}\s*$",
        max_length=10,
        error_messages={"invalid": "Enter the 6 digits the app shows."},
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )


def app_groups():
    return Group.objects.filter(name__in=GROUP_NAMES).order_by("name")


class InvitationForm(forms.Form):
    email = forms.EmailField(label="E-mail address", max_length=254)
    group = forms.ModelChoiceField(
        queryset=Group.objects.none(), empty_label=None, label="Group",
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = app_groups()
        if settings.OIDC_ENABLED and settings.OIDC_GROUP_MAP:
            self.fields["group"].help_text = (
                "For a password account. With single sign-on, the identity provider's groups "
                "decide, at every sign-in."
            )

    def clean_email(self):
        email = self.cleaned_data["email"].strip()
        if get_user_model().objects.filter(email__iexact=email, is_active=True).exists():
            raise forms.ValidationError("Someone with this address already has an account.")
        return email


class AcceptInvitationForm(forms.Form):
    """The invitee chooses a username and a password (Django's validators)."""

    username = forms.CharField(max_length=150, label="Username")
    password1 = forms.CharField(
        label="Password", strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=HOW_TO_CHOOSE,
    )
    password2 = forms.CharField(
        label="Password again", strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, email: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email
        User = get_user_model()
        self.fields["username"].validators.append(User.username_validator)

    def clean_username(self):
        username = self.cleaned_data["username"].strip()
        if get_user_model().objects.filter(username__iexact=username).exists():
            raise forms.ValidationError("This username is taken; choose another.")
        return username

    def clean(self):
        cleaned = super().clean()
        if get_user_model().objects.filter(email__iexact=self.email).exists():
            raise forms.ValidationError(
                "An account with this e-mail address exists already: sign in with it instead."
            )
        one, two = cleaned.get("password1"), cleaned.get("password2")
        if one and two and one != two:
            self.add_error("password2", "The two passwords differ.")
        elif one:
            probe = get_user_model()(username=cleaned.get("username", ""), email=self.email)
            try:
                password_validation.validate_password(one, probe)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class UserGroupsForm(forms.Form):
    groups = forms.ModelMultipleChoiceField(
        queryset=Group.objects.none(), required=False, widget=forms.CheckboxSelectMultiple,
        label="Groups",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["groups"].queryset = app_groups()


class AuditFilterForm(forms.Form):
    kind = forms.ChoiceField(choices=[("", "Any event"), *EventKind.choices], required=False)
    user = forms.CharField(required=False, max_length=150, label="User")
