import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.test import RequestFactory


def test_refuses_when_debug_is_off(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG off"):
        call_command("create_demo_users")


def test_creates_one_user_per_group_and_says_how_to_log_in(db, settings, capsys):
    settings.DEBUG = True
    call_command("create_demo_users")
    out = capsys.readouterr().out
    assert "demo-password" in out and "/accounts/login/" in out
    request = RequestFactory().post("/accounts/login/")
    user = authenticate(request, username="leader", password="demo-password")
    assert user is not None
    assert list(user.groups.values_list("name", flat=True)) == ["Leadership"]
    call_command("create_demo_users")  # Running twice is harmless.
