"""Completing a single sign-on: who the provider may sign in, just-in-time accounts and memberships.

An identity provider speaks only for its organization's verified domains: an address outside them is
refused before any account is looked up, so it is never matched to an existing account (the
cross-tenant takeover). The first sign-in creates the account and a membership with the
organization's JIT role; an existing account with that address is linked (made a member).
"""

from django.db import IntegrityError, transaction

from console.models import User
from orgs.models import Membership
from orgs.services import ServiceError, add_member

from . import audit, permissions, selectors, services
from .addresses import normalize_email

ERR_NOT_ON_DOMAIN = "Your identity provider may only sign in addresses on your organization's verified domains."
ERR_UNVERIFIED_EMAIL = "Your identity provider did not confirm that this e-mail address is yours."
ERR_NO_EMAIL = "Your identity provider did not send an e-mail address."
ERR_ACCOUNT_DISABLED = "Single sign-on did not complete. Ask your organization's administrators for help."


class SignInRefused(Exception):
    """A sign-in refused after the provider answered; ``code`` for logs and tests, ``message`` for people.

    No message depends on whether an account exists for the address.
    """

    def __init__(self, message, code):
        super().__init__(message)
        self.message, self.code = message, code


def jit_role(connection):
    """The role a person gets at their first sign-in through this connection."""
    return permissions.jit_role_for(connection.organization.kind, connection.jit_role)


def complete_sign_in(*, connection, email, email_verified=True, full_name="", request_meta=audit.SYSTEM):
    """The account to sign in for an address the connection's provider vouched for; raises SignInRefused."""
    org = connection.organization
    email = normalize_email(email)
    if not email:
        raise SignInRefused(ERR_NO_EMAIL, "no_email")
    if not email_verified:
        raise SignInRefused(ERR_UNVERIFIED_EMAIL, "unverified_email")
    # Before any look-up of an account: a foreign address is never matched to anyone.
    if not selectors.is_verified_domain_of(org, email):
        raise SignInRefused(ERR_NOT_ON_DOMAIN, "foreign_domain")
    user = _account(email, full_name)
    # Staff accounts sign in with their password only: no organization's provider vouches for them.
    if not user.is_active or user.is_staff or user.is_superuser:
        raise SignInRefused(ERR_ACCOUNT_DISABLED, "inactive_or_staff")
    if not Membership.objects.filter(organization=org, user=user).exists():
        try:
            add_member(actor=None, organization=org, user=user, role=jit_role(connection),
                       request_meta=request_meta, via=audit.VIA_SSO)
        except ServiceError:
            # Added meanwhile by another sign-in or SCIM: the person is a member either way.
            if not Membership.objects.filter(organization=org, user=user).exists():
                raise
    services.record_sso_success(connection=connection)
    return user


def _account(email, full_name):
    user = User.objects.filter(email=email).first()
    if user is not None:
        return user
    try:
        with transaction.atomic():
            # No password: this person signs in through their identity provider.
            return User.objects.create_user(email=email, password=None, full_name=full_name)
    except IntegrityError:
        return User.objects.get(email=email)
