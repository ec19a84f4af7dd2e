"""The seeded copy that transactional tests start from puts back exactly the seed."""

import pytest
from django.contrib.auth.models import User

from problems.models import Plan
from roles.models import Role
from tests import conftest
from tests.seed_snapshot import SeedSnapshot


@pytest.mark.django_db(transaction=True)
def test_restore_undoes_committed_edits_rows_and_sequences():
    seed = conftest._session["seed"]
    plan = Plan.objects.get(slug=conftest.SEED_SLUG)
    Plan.objects.filter(pk=plan.pk).update(title="Edited and committed")
    plan.problems.order_by("rank").first().delete()
    Role.objects.create(plan=plan, title="Leaked hire", slug="leaked-hire", position=77)
    User.objects.create_user("leaked-user")
    assert SeedSnapshot.capture().tables != seed.tables

    seed.restore()

    assert SeedSnapshot.capture().tables == seed.tables
    assert not Role.objects.filter(slug="leaked-hire").exists()
    assert Plan.objects.get(slug=conftest.SEED_SLUG).title != "Edited and committed"
    # The next row gets the key it would get on the freshly seeded database.
    highest = max(row[0] for row in next(t for t in seed.tables if t.name == "roles_role").rows)
    new = Role.objects.create(plan=plan, title="Next", slug="next", position=78)
    assert new.pk == highest + 1
