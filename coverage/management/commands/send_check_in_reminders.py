"""python manage.py send_check_in_reminders [--date YYYY-MM-DD] [--base-url URL] [--dry-run]

Run it daily from cron; running it again the same day sends nothing twice (coverage/reminders.py).
"""

import datetime

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from coverage.reminders import CATCH_UP_DAYS, send_reminders


class Command(BaseCommand):
    help = (
        "E-mail each hiring manager the check-ins of their hires that fall due today "
        "(or fell due in the last days with nothing recorded), once each. Run it daily."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--date", help="The day to send for (YYYY-MM-DD); today by default."
        )
        parser.add_argument(
            "--base-url",
            help="The app's address for the links, e.g. https://hiring.example.com "
            "(default: the SITE_URL setting).",
        )
        parser.add_argument(
            "--catch-up-days",
            type=int,
            default=CATCH_UP_DAYS,
            help=f"Also remind check-ins that fell due this many days before, if nothing was "
            f"recorded and no reminder went (default {CATCH_UP_DAYS}).",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Say what would be sent; send nothing."
        )

    def handle(self, *args, date, base_url, catch_up_days, dry_run, **options):
        try:
            today = datetime.date.fromisoformat(date) if date else timezone.localdate()
        except ValueError:
            raise CommandError(f"--date “{date}” is not a date like 2026-04-01.") from None
        if catch_up_days < 0:
            raise CommandError("--catch-up-days cannot be negative.")
        base_url = base_url or settings.SITE_URL
        if not base_url:
            raise CommandError(
                "The e-mails link to the app: set SITE_URL (e.g. https://hiring.example.com) "
                "or pass --base-url."
            )
        run = send_reminders(
            today, base_url=base_url, catch_up_days=catch_up_days, dry_run=dry_run
        )
        verb = "Would send" if dry_run else "Sent"
        self.stdout.write(
            f"{verb} {len(run.sent)} reminder{'s' if len(run.sent) != 1 else ''} "
            f"({run.check_ins} check-in{'s' if run.check_ins != 1 else ''}) for {today:%Y-%m-%d}."
        )
        for reminder in run.sent:
            self.stdout.write(
                f"  {reminder.hire.hiring_manager.email}: {reminder.hire.person_name}, "
                f"{reminder.timeframes}, due {reminder.due_on:%Y-%m-%d}"
            )
        for why in run.skipped:
            self.stdout.write(f"  Not sent: {why}")
        for why in run.failed:
            self.stderr.write(f"  Failed (tried again next run): {why}")
        if run.failed:
            raise CommandError(f"{len(run.failed)} reminder(s) could not be sent.")
