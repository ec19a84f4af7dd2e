"""E-mails the accounts send, through Django's e-mail framework (settings: EMAIL_*)."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string


def send_invitation(invitation, url: str) -> None:
    context = {
        "invitation": invitation,
        "url": url,
        "inviter": invitation.invited_by,
        "password_login": settings.PASSWORD_LOGIN,
        "provider_name": settings.OIDC_PROVIDER_NAME,
    }
    subject = render_to_string("accounts/invitation_subject.txt", context).strip()
    body = render_to_string("accounts/invitation_email.txt", context)
    message = EmailMultiAlternatives(subject, body, to=[invitation.email])
    message.send()
