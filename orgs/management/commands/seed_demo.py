"""Create the demo organizations and people; running it again changes nothing."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from console.addresses import normalize_email
from orgs import services
from orgs.demo import DEMO_NAMES, DEMO_ORGS, STAFF_EMAIL
from orgs.models import Membership, Organization

ERR_NOT_DEBUG = "seed_demo only runs with DEBUG on: demo accounts share one known password."


class Command(BaseCommand):
    help = "Create the demo organizations, people and roles (idempotent; DEBUG only)."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError(ERR_NOT_DEBUG)
        password = settings.DEMO_PASSWORD
        with transaction.atomic():
            users = {email: self._user(email, password) for email in DEMO_NAMES}
            self._staff(users[STAFF_EMAIL])
            for spec in DEMO_ORGS:
                self._org(spec, users)
        self.stdout.write(self.style.SUCCESS("Demo data is ready. Sign in at http://127.0.0.1:8000/accounts/login/"))
        self.stdout.write(f"  people: {', '.join(DEMO_NAMES)}")
        self.stdout.write(f"  password: {password}")

    def _user(self, email, password):
        User = get_user_model()
        user = User.objects.filter(email=normalize_email(email)).first()
        if user is None:
            return User.objects.create_user(email, password, full_name=DEMO_NAMES[email])
        if not user.check_password(password):
            user.set_password(password)
            user.save(update_fields=["password"])
        return user

    def _staff(self, user):
        if not (user.is_staff and user.is_superuser):
            user.is_staff = user.is_superuser = True
            user.save(update_fields=["is_staff", "is_superuser"])

    def _org(self, spec, users):
        org = Organization.objects.filter(slug=spec["slug"]).first()
        if org is None:
            org = services.create_organization(
                actor=None, name=spec["name"], slug=spec["slug"], kind=spec["kind"], plan=spec["plan"]
            )
        existing = set(Membership.objects.filter(organization=org).values_list("user__email", flat=True))
        for email, role in spec["members"]:
            if email not in existing:
                services.add_member(actor=None, organization=org, user=users[email], role=role)
