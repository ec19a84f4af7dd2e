"""Delete sign-in audit events older than SIGN_IN_AUDIT_DAYS (also done hourly by itself)."""

from django.conf import settings
from django.core.management.base import BaseCommand

from hiringplan.accounts.audit import prune


class Command(BaseCommand):
    help = "Delete sign-in audit events older than SIGN_IN_AUDIT_DAYS (default 365)."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=None,
                            help="Keep this many days instead of SIGN_IN_AUDIT_DAYS.")

    def handle(self, *args, days=None, **options):
        kept = days or settings.SIGN_IN_AUDIT_DAYS
        deleted = prune(kept)
        self.stdout.write(f"Deleted {deleted} sign-in audit event(s) older than {kept} days.")
