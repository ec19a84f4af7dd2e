"""python manage.py import_markdown PROPOSAL.md [JD.md ...] --slug SLUG [--replace]"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from interchange.markdown import MarkdownRefused, decode, parse
from interchange.plan_data import ImportRefused, save_plan


class Command(BaseCommand):
    help = (
        "Import a plan from a proposal and job descriptions written in the seed Markdown "
        "format. Creates a new plan; --replace replaces an existing plan whole."
    )

    def add_arguments(self, parser):
        parser.add_argument("proposal", help="The proposal (Markdown).")
        parser.add_argument("jds", nargs="*", help="Job descriptions (Markdown), any number.")
        parser.add_argument("--slug", required=True, help="The plan's slug, e.g. q1-2026.")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Replace the existing plan with this slug whole (what it holds now is lost).",
        )
        parser.add_argument(
            "--strict",
            action="store_true",
            help="Refuse the import when any line could not be placed.",
        )

    def handle(self, *args, proposal, jds, slug, replace, strict, **options):
        try:
            proposal_text = decode(_read(proposal), proposal)
            jd_texts = [(Path(name).name, decode(_read(name), name)) for name in jds]
            parsed = parse(proposal_text, jd_texts, proposal_name=Path(proposal).name)
        except MarkdownRefused as error:
            raise CommandError(str(error)) from None
        for note in parsed.notes:
            self.stdout.write(f"Note: {note}")
        for disagreement in parsed.disagreements:
            self.stdout.write(f"Disagreement: {disagreement.sentence()}")
        for document, number, text in parsed.unplaced:
            self.stderr.write(f"{document}, line {number}: not placed: {text[:160]}")
        if strict and parsed.unplaced:
            raise CommandError(
                f"{len(parsed.unplaced)} lines could not be placed; nothing imported."
            )
        try:
            result = save_plan(parsed.data, slug, replace=replace)
        except ImportRefused as error:
            raise CommandError("Nothing was imported:\n- " + "\n- ".join(error.messages)) from None
        verb = "Replaced" if result.replaced else "Created"
        self.stdout.write(
            self.style.SUCCESS(
                f"{verb} plan “{result.plan.slug}”: {result.created} objects created, "
                f"{result.updated} updated, {result.deleted} removed."
            )
        )


def _read(name: str) -> bytes:
    try:
        return Path(name).read_bytes()
    except OSError as error:
        raise CommandError(f"Cannot read {name}: {error.strerror}.") from None
