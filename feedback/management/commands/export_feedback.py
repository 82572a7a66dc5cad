"""Write de-linked feedback reports as JSON Lines (one report a line)."""

import datetime as dt
import socket

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from feedback.export import export_queryset, iter_export_lines
from feedback.services import record_reports_exported

ERR_DATE = "--since must be a date (YYYY-MM-DD) or an ISO date-time, e.g. 2026-01-31."
ERR_STAFF = "--staff must be the e-mail of an active staff account: every export is recorded under its name."


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
        parser.add_argument("--staff", required=True, help="E-mail of the staff member exporting (recorded).")

    def handle(self, *args, since, staff, output=None, **options):
        start = _parse_since(since)
        staff_user = get_user_model().objects.filter(email=staff.strip().lower(), is_staff=True, is_active=True).first()
        if staff_user is None:
            raise CommandError(ERR_STAFF)
        end = timezone.now()
        # Recorded before the first line is written, so an export cut short is on the record too.
        record_reports_exported(
            staff=staff_user, since=start, until=end, report_count=export_queryset(since=start, until=end).count(),
            origin=f"export_feedback on {socket.gethostname()}",
        )
        count = 0
        stream = open(output, "w", encoding="utf-8") if output else self.stdout  # noqa: SIM115
        try:
            for line in iter_export_lines(since=start, until=end):
                stream.write(line + "\n")  # the command's stdout adds no second newline
                count += 1
        finally:
            if output:
                stream.close()
        self.stderr.write(f"Exported {count} report{'s' if count != 1 else ''} since {start.isoformat()}.")
