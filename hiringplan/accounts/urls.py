from django.urls import path

from core.permissions import public
from hiringplan.accounts import oidc, views

urlpatterns = [
    path("login/", views.sign_in, name="login"),
    path("two-factor/", views.mfa_verify, name="mfa_verify"),
    path("two-factor/setup/", views.mfa_setup, name="mfa_setup"),
    path("two-factor/recovery-codes/", views.recovery_codes, name="recovery_codes"),
    path("two-factor/remove/", views.mfa_remove, name="mfa_remove"),
    path("oidc/authenticate/", public(oidc.StartSignIn.as_view()), name="oidc_start"),
    path("oidc/callback/", public(oidc.FinishSignIn.as_view()), name="oidc_callback"),
    path("", views.account, name="account"),
    path("sign-out-everywhere/", views.sign_out_everywhere, name="sign_out_everywhere"),
    path("password/", views.password_change, name="password_change"),
    path("password/done/", views.password_change_done, name="password_change_done"),
    path("password-reset/", views.password_reset, name="password_reset"),
    path("password-reset/sent/", views.password_reset_done, name="password_reset_done"),
    path(
        "password-reset/<uidb64>/<token>/",
        views.password_reset_confirm,
        name="password_reset_confirm",
    ),
    path("password-reset/done/", views.password_reset_complete, name="password_reset_complete"),
    path("invitations/", views.invitations, name="invitations"),
    path("invitations/<num:invitation_id>/revoke/", views.invitation_revoke,
         name="invitation_revoke"),
    path("invite/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path("users/", views.user_list, name="user_list"),
    path("users/<num:user_id>/", views.user_detail, name="user_detail"),
    path(
        "users/<num:user_id>/<slug:action>/", views.user_action, name="user_action"
    ),
    path("audit/", views.audit, name="sign_in_audit"),
]
