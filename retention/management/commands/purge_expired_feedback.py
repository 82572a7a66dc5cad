import datetime as dt
import time

from django.core.management.base import BaseCommand, CommandError

from retention import selectors, services
from retention.models import RunStatus


class Command(BaseCommand):
    help = ("Delete every feedback report (and daily count) past the retention period: due days dropped whole "
            "(PostgreSQL), other rows in short batches.")

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Show what would be deleted; delete nothing.")
        # Checked in handle(), which also sees values passed to call_command() that skip argparse.
        parser.add_argument("--batch-size", default=None,
                            help=f"Rows per batch transaction (1 to {services.MAX_BATCH_SIZE}); by default batches "
                                 f"start at {services.DEFAULT_BATCH_SIZE} and are sized by time.")

    def handle(self, *args, dry_run, batch_size, **options):
        try:
            size = None if batch_size is None else services.validate_batch_size(batch_size)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        if dry_run:
            return self.preview()
        return self.purge(size)

    def preview(self):
        preview = selectors.get_purge_preview()
        oldest = preview["oldest"].isoformat() if preview["oldest"] else "none"
        last_day = preview["cutoff"].date() - dt.timedelta(days=1)
        self.stdout.write(f"Dry run: nothing is deleted.\n"
                          f"Retention period: {preview['retention_years']} years; cutoff {preview['cutoff'].isoformat()} "
                          f"(the reports of every day up to {last_day.isoformat()} are due: a day's reports go at "
                          f"00:00 UTC on the day it turns {preview['retention_years']} years old)\n"
                          f"Reports that would be deleted: {preview['reports']}\n"
                          f"Oldest of them submitted: {oldest}\n"
                          f"Daily counts that would be deleted: {preview['daily_counts']}")
        for day, count, whole in preview["days"]:
            how = "its partition dropped whole" if whole else "deleted row by row"
            self.stdout.write(f"  {day.isoformat()}: {count} reports, {how}")
        for day in sorted(set(preview["partitions"]) - {day for day, _, _ in preview["days"]}):
            self.stdout.write(f"  {day.isoformat()}: no reports, its empty partition dropped")

    def purge(self, size):
        started = time.monotonic()
        on_terminal = self.stdout.isatty()

        def progress(run, count):
            line = f"batch {run.batches}: {count} reports deleted, {run.rows_deleted} in total"
            if on_terminal:
                self.stdout.write(f"\r{line}", ending="")
            else:
                self.stdout.write(line)
            self.stdout.flush()

        def dropped(run, day, count):
            self.stdout.write(f"{'' if not on_terminal else chr(13)}day {day.isoformat()}: its partition dropped, "
                              f"{count} reports")
            self.stdout.flush()

        run = services.purge_expired_feedback(batch_size=size, progress=progress, on_partition=dropped)
        if on_terminal and run.batches:
            self.stdout.write("")
        if run.status == RunStatus.SKIPPED:
            self.stdout.write("Another purge holds the lock: nothing done (it will finish the work).")
            return
        seconds = time.monotonic() - started
        rate = f", {run.rows_deleted / seconds:,.0f} reports/s" if seconds > 0 and run.rows_deleted else ""
        self.stdout.write(self.style.SUCCESS(
            f"Deleted {run.rows_deleted} reports and {run.daily_counts_deleted} daily counts in {run.batches} batches "
            f"and {run.partitions_dropped} days dropped whole "
            f"({seconds:.1f} s{rate}); cutoff {run.cutoff.isoformat()}, retention {run.retention_years} years."
        ))
