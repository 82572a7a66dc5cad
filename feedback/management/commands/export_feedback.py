"""Write de-linked feedback reports as JSON Lines (one report a line)."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from feedback.export import iter_export_lines

ERR_DATE = "--since must be a date (YYYY-MM-DD) or an ISO date-time, e.g. 2026-01-31."


def _parse_since(value):
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError as error:
        raise CommandError(ERR_DATE) from error
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed, dt.UTC)
    return parsed


class Command(BaseCommand):
    help = "Write feedback reports created since DATE as JSON Lines, to stdout or --output FILE."

    def add_arguments(self, parser):
        parser.add_argument("--since", required=True, help="Date (UTC) or ISO date-time of the oldest report.")
        parser.add_argument("--output", help="File to write (default: standard output).")

    def handle(self, *args, since, output=None, **options):
        start = _parse_since(since)
        count = 0
        stream = open(output, "w", encoding="utf-8") if output else self.stdout  # noqa: SIM115
        try:
            for line in iter_export_lines(since=start):
                stream.write(line + "\n")  # the command's stdout adds no second newline
                count += 1
        finally:
            if output:
                stream.close()
        self.stderr.write(f"Exported {count} report{'s' if count != 1 else ''} since {start.isoformat()}.")
