"""Rows read by hand-written SQL make the instances the ORM makes (core/loading.py), and the
per-request reads built on them (the session, the session's user) keep Django's rules."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.sessions.models import Session
from django.db import connection
from django.utils import timezone

from core.loading import RowReader, quick_from_db
from core.permissions import Capability, capabilities_of
from core.sessions import SessionStore
from hiringplan.accounts.backends import PasswordBackend, _load_user
from hiringplan.models import AccountState
from problems.models import Problem
from tests.conftest import client_for, make_user

User = get_user_model()


def _fields(instance):
    return {f.attname: getattr(instance, f.attname) for f in type(instance)._meta.concrete_fields}


@pytest.mark.django_db
def test_row_reader_makes_the_orm_instance_with_converted_values():
    user = User.objects.create_user("reader", email="r@example.com", password="pw")
    User.objects.filter(pk=user.pk).update(last_login=timezone.now(), is_staff=True)
    reader = RowReader(User, "u")
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {reader.select(connection)} FROM {User._meta.db_table} u WHERE u.id = %s",  # noqa: S608
            [user.pk],
        )
        row = cursor.fetchone()
    made, orm = reader.instance(row, connection), User.objects.get(pk=user.pk)
    assert _fields(made) == _fields(orm)
    # SQLite returns text and 0/1 here: the converters give the ORM's types.
    assert isinstance(made.last_login, datetime.datetime) and timezone.is_aware(made.last_login)
    assert made.is_staff is True and made.is_superuser is False
    assert made._state.adding is False and made._state.db == "default"
    assert reader.instance((None,) * reader.width, connection) is None  # a LEFT JOIN that found nothing


@pytest.mark.django_db
def test_quick_from_db_equals_djangos_from_db(plan):
    problem = Problem.objects.filter(plan=plan).first()
    names = [f.attname for f in Problem._meta.concrete_fields]
    values = [getattr(problem, n) for n in names]
    quick = quick_from_db(Problem, "default", names, values)
    assert _fields(quick) == _fields(Problem.from_db("default", names, values))


@pytest.mark.django_db
def test_the_session_user_comes_with_account_state_and_groups(
    groups, django_assert_num_queries
):
    user = make_user("two-groups", "Leadership")
    user.groups.add(Group.objects.get(name="Recruiters"))
    AccountState.objects.create(user=user, session_epoch=3)
    with django_assert_num_queries(1):
        loaded = _load_user(user.pk)
        assert loaded.account_state.session_epoch == 3  # cached, as select_related did
        assert loaded.account_state.user is loaded
        caps = capabilities_of(loaded)  # from the loaded names: no groups query
    assert _fields(loaded) == _fields(User.objects.get(pk=user.pk))
    assert loaded._hiringplan_group_names == {"Leadership", "Recruiters"}
    assert Capability.PUBLISH_POSTINGS in caps and Capability.EDIT_COVERAGE in caps


@pytest.mark.django_db
def test_a_user_with_no_account_state_or_groups(db, django_assert_num_queries):
    user = make_user("bare")
    with django_assert_num_queries(1):
        loaded = _load_user(user.pk)
        with pytest.raises(AccountState.DoesNotExist):
            loaded.account_state  # noqa: B018 - the ORM's answer for a missing row
        assert capabilities_of(loaded) == frozenset()
    assert _load_user(user.pk + 1000) is None


@pytest.mark.django_db
def test_a_deactivated_user_is_not_the_sessions_user(db):
    user = make_user("gone", "Leadership")
    User.objects.filter(pk=user.pk).update(is_active=False)
    assert PasswordBackend().get_user(user.pk) is None


@pytest.mark.django_db
def test_a_group_taken_away_counts_at_the_next_request(leader, groups):
    client = client_for(leader)
    assert client.get("/accounts/users/").status_code == 403
    leader.groups.add(Group.objects.get(name="Admins"))
    assert client.get("/accounts/users/").status_code == 200
    leader.groups.remove(Group.objects.get(name="Admins"))
    assert client.get("/accounts/users/").status_code == 403


@pytest.mark.django_db
def test_the_session_read_keeps_djangos_rules(db):
    store = SessionStore()
    store["answer"] = 42
    store.save()
    key = store.session_key
    assert SessionStore(key).load() == {"answer": 42}
    Session.objects.filter(session_key=key).update(
        expire_date=timezone.now() - datetime.timedelta(seconds=1)
    )
    expired = SessionStore(key)
    assert expired.load() == {} and expired.session_key is None
    assert SessionStore("x" * 32).load() == {}
    assert SessionStore("short").load() == {}  # not a valid key: no query, no session
