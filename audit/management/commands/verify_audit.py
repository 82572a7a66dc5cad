"""manage.py verify_audit [<slug> …]: walk each audit chain (or those of these organizations) and say whether it is intact."""

from django.core.management.base import BaseCommand, CommandError

from audit.services import verify_audit_chains


class Command(BaseCommand):
    help = (
        "Recompute every audit event's hash and check each chain's links and numbers, in constant memory. "
        "Exits 0 when every chain is intact; otherwise 1, naming per broken chain the organization, the first "
        "bad seq and what is wrong (changed, missing, inserted, reordered). Records the result for the Audit log page."
    )

    def add_arguments(self, parser):
        parser.add_argument("slugs", nargs="*", metavar="slug", help="Only the chains of these organizations.")

    def handle(self, *args, slugs, **options):
        try:
            run, reports = verify_audit_chains(slugs=slugs or None)
        except ValueError as error:
            raise CommandError(str(error)) from error
        for report in reports:
            (self.stderr if report.result.problem else self.stdout).write(str(report))
        if run.broken:
            raise CommandError(f"{run.broken} of {run.chains} chains are broken.", returncode=1)
        self.stdout.write(f"{run.chains} chains intact ({run.events:,} events).")
