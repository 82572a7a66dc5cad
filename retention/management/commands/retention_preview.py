from django.core.management.base import BaseCommand, CommandError

from retention import selectors

MAX_DAYS = 3660


class Command(BaseCommand):
    help = ("Show, for each of the next N days (UTC), which days of feedback reports are deleted at its 00:00 "
            "and how many reports they hold.")

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=30, help=f"How many days ahead (1 to {MAX_DAYS}, default 30).")

    def handle(self, *args, days, **options):
        if not 1 <= days <= MAX_DAYS:
            raise CommandError(f"--days must be a whole number from 1 to {MAX_DAYS}, not {days}.")
        preview = selectors.get_purge_preview()
        self.stdout.write(f"Already due, waiting for the next purge: {preview['reports']}")
        self.stdout.write("date (UTC)   reports deleted at its 00:00   submitted on")
        total = 0
        for day, count, submitted in selectors.list_expiry_forecast(days=days):
            total += count
            self.stdout.write(f"{day.isoformat()}   {count}   {', '.join(d.isoformat() for d in submitted)}")
        self.stdout.write(f"Total over the next {days} days: {total}")
