"""One demo user per group, for trying the app locally. Refuses to run when DEBUG is off."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError

from core.permissions import ADMINS, HIRING_MANAGERS, LEADERSHIP, RECRUITERS

DEMO_USERS = (
    ("leader", LEADERSHIP),
    ("manager", HIRING_MANAGERS),
    ("recruiter", RECRUITERS),
    ("admin", ADMINS),
)
DEMO_PASSWORD = "demo-password"  # noqa: S105 - local demo only; refused when DEBUG is off


class Command(BaseCommand):
    help = "Create demo users (leader, manager, recruiter, admin) for local use. DEBUG only."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError(
                "Refusing to create demo users with DEBUG off: they have a known password."
            )
        User = get_user_model()
        for username, group_name in DEMO_USERS:
            user, _ = User.objects.get_or_create(username=username)
            user.set_password(DEMO_PASSWORD)
            user.is_staff = group_name == ADMINS
            user.save()
            user.groups.set([Group.objects.get(name=group_name)])
        self.stdout.write(f"Demo users (password for all: {DEMO_PASSWORD}):")
        for username, group_name in DEMO_USERS:
            self.stdout.write(f"  {username:<10} {group_name}")
        self.stdout.write("Log in at http://127.0.0.1:8000/accounts/login/")
