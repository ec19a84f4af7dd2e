"""Shared personas and the seed plan, as pytest fixtures (one user per group)."""

import html
import re

import pytest
from django.contrib.auth.models import Group, User
from django.core.cache import caches
from django.core.management import call_command
from django.test import Client

from core.permissions import ADMINS, GROUP_NAMES, HIRING_MANAGERS, LEADERSHIP, RECRUITERS
from coverage.analysis import forget_analyses
from interchange.plan_data import CONTENT_MODELS
from problems.models import Plan

# Real parts other tests can use: an SMTP server (mailbox) and an OpenID provider (sso).
pytest_plugins = ["tests.mail", "tests.oidc"]

SEED_SLUG = "q1-2026"
# Draft starter interview kits: beyond the seed documents, so a fixture of their own.
SEED_KITS = "q1-2026-kits"

# Every model that holds a plan's content: the plan and the rows an export carries.
PLAN_MODELS = [Plan, *CONTENT_MODELS]


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load the seed plan once; ordinary tests roll back their changes to it."""
    with django_db_blocker.unblock():
        call_command("loaddata", SEED_SLUG, SEED_KITS, verbosity=0)


@pytest.fixture(autouse=True)
def _fresh_analyses():
    """Tests that change rows with .update() (no new revision) must not see older analyses,
    nor matrix fragments cached for the old content."""
    forget_analyses()
    caches["default"].clear()
    yield
    forget_analyses()
    caches["default"].clear()


@pytest.fixture
def plan(db):
    """The seed plan (reloaded if a transactional test flushed the database)."""
    found = Plan.objects.filter(slug=SEED_SLUG).first()
    if found is None:
        call_command("loaddata", SEED_SLUG, SEED_KITS, verbosity=0)
        found = Plan.objects.get(slug=SEED_SLUG)
    return found


def make_user(username, group_name=None, **extra):
    user = User.objects.create_user(username=username, password="pw-" + username, **extra)
    if group_name:
        group, _ = Group.objects.get_or_create(name=group_name)
        user.groups.add(group)
    return user


@pytest.fixture
def groups(db):
    return {name: Group.objects.get_or_create(name=name)[0] for name in GROUP_NAMES}


@pytest.fixture
def leader(groups):
    return make_user("leader", LEADERSHIP)


@pytest.fixture
def manager(groups):
    return make_user("manager", HIRING_MANAGERS)


@pytest.fixture
def recruiter(groups):
    return make_user("recruiter", RECRUITERS)


@pytest.fixture
def admin_user(groups):
    return make_user("admin", ADMINS)


@pytest.fixture
def superuser(db):
    return User.objects.create_superuser("root", "root@example.com", "pw-root")


@pytest.fixture
def nobody(db):
    """Logged in, but in no group."""
    return make_user("nobody")


def client_for(user, **kwargs):
    """A test client of its own, logged in as ``user`` (personas can be used side by side)."""
    client = Client(**kwargs)
    client.force_login(user)
    return client


@pytest.fixture
def leader_client(leader):
    return client_for(leader)


@pytest.fixture
def manager_client(manager):
    return client_for(manager)


@pytest.fixture
def recruiter_client(recruiter):
    return client_for(recruiter)


@pytest.fixture
def admin_client_(admin_user):
    return client_for(admin_user)


def page_text(response) -> str:
    """The response's visible text: tags removed, entities decoded, white space collapsed."""
    body = response.content.decode()
    text = html.unescape(re.sub(r"<[^>]+>", " ", body))
    return re.sub(r"\s+", " ", text)
