"""factory_boy factories for the console's models."""

from datetime import timedelta

import factory
from django.utils import timezone

from console.models import User
from identity.models import Invitation, hash_invitation_token, invitation_link_token, new_invitation_nonce
from orgs.models import Membership, Organization

PASSWORD = "test-password-123"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.test")
    full_name = factory.Faker("name")
    password = factory.django.Password(PASSWORD)


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"Org {n}")
    slug = factory.Sequence(lambda n: f"org-{n}")
    kind = "claude"
    plan = "enterprise"


class ConsoleOrganizationFactory(OrganizationFactory):
    kind = "console"
    plan = ""


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organization = factory.SubFactory(OrganizationFactory)
    role = "member"


class InvitationFactory(factory.django.DjangoModelFactory):
    """An open invitation sent now; the mail task's nonce and the link's token are on the instance as
    `nonce` and `token` (neither is stored)."""

    class Meta:
        model = Invitation

    organization = factory.SubFactory(OrganizationFactory)
    email = factory.Sequence(lambda n: f"invitee{n}@example.test")
    role = "member"
    invited_by = None
    invited_by_email = factory.LazyAttribute(lambda o: o.invited_by.email if o.invited_by else "")
    # As the services make it: the mail task's nonce, the link token made from it, the token's hash.
    nonce = factory.LazyFunction(new_invitation_nonce)
    token = factory.LazyAttribute(lambda o: invitation_link_token(o.nonce))
    token_hash = factory.LazyAttribute(lambda o: hash_invitation_token(o.token))
    sent_at = factory.LazyFunction(timezone.now)
    expires_at = factory.LazyAttribute(lambda o: o.sent_at + timedelta(days=7))

    @classmethod
    def _create(cls, model_class, *args, nonce, token, **kwargs):
        invitation = super()._create(model_class, *args, **kwargs)
        invitation.nonce, invitation.token = nonce, token
        return invitation
