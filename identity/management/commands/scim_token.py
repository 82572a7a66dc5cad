"""python manage.py scim_token <slug> [--name NAME]: a new SCIM token for an organization, printed once on the last line."""

from django.core.management.base import BaseCommand, CommandError

from orgs.models import Organization
from orgs.services import ServiceError

from ...services import create_scim_token


class Command(BaseCommand):
    help = "Create a SCIM token for an organization; the token is printed once, on the last line."

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("--name", default="SCIM token")

    def handle(self, *args, slug, name, **options):
        organization = Organization.objects.filter(slug=slug).first()
        if organization is None:
            raise CommandError(f"No organization with the slug {slug!r}.")
        try:
            record, token = create_scim_token(actor=None, organization=organization, name=name)
        except ServiceError as error:
            raise CommandError(error.message) from error
        self.stdout.write(f"SCIM token “{record.name}” for {organization.name}. Base URL: /scim/v2/. It is shown only now:")
        self.stdout.write(token)
