"""Enforced SSO: people on a verified domain lose password sign-in, except the break-glass account."""

import re

import pytest

from audit.models import AuditEvent
from identity import services
from identity.models import SSOConnection
from orgs.services import ServiceError
from tests.factories import PASSWORD, MembershipFactory, UserFactory
from tests.identity.conftest import DOMAIN

pytestmark = pytest.mark.django_db


def password_sign_in(client, email, password=PASSWORD):
    return client.post("/accounts/login/", {"username": email, "password": password})


def enforce(org, connection):
    SSOConnection.objects.filter(pk=connection.pk).update(first_success_at="2026-01-01T00:00:00Z")
    services.set_sso_enforced(actor=org.primary.user, organization=org, enforced=True)


def test_enforcing_waits_for_one_successful_sign_in(sso_org, oidc_connection):
    with pytest.raises(ServiceError, match="Sign in through your identity provider once"):
        services.set_sso_enforced(actor=sso_org.primary.user, organization=sso_org, enforced=True)
    enforce(sso_org, oidc_connection)
    event = AuditEvent.objects.get(action="identity.sso.enforced")
    assert (event.old_value, event.new_value, event.actor) == (False, True, sso_org.primary.user)


def test_under_enforcement_a_password_sign_in_points_to_sso(client, sso_org, oidc_connection):
    enforce(sso_org, oidc_connection)
    response = password_sign_in(client, sso_org.owner.user.email)
    assert response.status_code == 200
    assert "Sign in with single sign-on" in response.content.decode()
    assert "identity provider" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_answer_is_the_same_whether_or_not_the_account_exists(client, sso_org, oidc_connection):
    enforce(sso_org, oidc_connection)
    known = password_sign_in(client, sso_org.owner.user.email, "wrong").content.decode()
    unknown = password_sign_in(client, f"nobody@{DOMAIN}", "wrong").content.decode()
    right = password_sign_in(client, sso_org.owner.user.email).content.decode()
    alert = lambda page: re.search(r'role="alert">(.*?)</div>', page, re.S).group(1)  # noqa: E731
    assert alert(known) == alert(unknown) == alert(right)


def test_the_break_glass_account_keeps_its_password(client, sso_org, oidc_connection):
    enforce(sso_org, oidc_connection)
    response = password_sign_in(client, sso_org.primary.user.email)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(sso_org.primary.user.pk)


def test_the_break_glass_account_can_be_another_decider_and_must_be_one(client, sso_org, oidc_connection):
    enforce(sso_org, oidc_connection)
    services.set_break_glass_account(actor=sso_org.primary.user, organization=sso_org, membership_id=sso_org.owner.pk)
    assert password_sign_in(client, sso_org.owner.user.email).status_code == 302
    client.logout()
    assert password_sign_in(client, sso_org.primary.user.email).status_code == 200
    member = MembershipFactory(organization=sso_org, role="member", user__email=f"m@{DOMAIN}")
    with pytest.raises(services.FieldError, match="break-glass account must be one of"):
        services.set_break_glass_account(actor=sso_org.primary.user, organization=sso_org, membership_id=member.pk)


def test_people_outside_the_verified_domains_keep_their_passwords(client, sso_org, oidc_connection):
    enforce(sso_org, oidc_connection)
    outsider = MembershipFactory(organization=sso_org, role="member", user=UserFactory(email="contractor@elsewhere.test"))
    assert password_sign_in(client, outsider.user.email).status_code == 302


def test_the_staff_admin_refuses_the_password_too(client, sso_org, oidc_connection):
    enforce(sso_org, oidc_connection)
    owner = sso_org.owner.user
    owner.is_staff = True
    owner.save()
    response = client.post("/admin/login/", {"username": owner.email, "password": PASSWORD})
    assert response.status_code == 200 and "_auth_user_id" not in client.session


def test_changing_the_provider_lifts_enforcement_until_it_is_proven_again(sso_org, oidc_connection, provider):
    enforce(sso_org, oidc_connection)
    services.configure_oidc(actor=sso_org.primary.user, organization=sso_org, issuer=provider.issuer,
                            client_id="another-client", client_secret="", jit_role="")
    connection = SSOConnection.objects.get(pk=oidc_connection.pk)
    assert not connection.enforced and connection.first_success_at is None
    assert AuditEvent.objects.filter(action="identity.sso.enforced", new_value=False).exists()


def test_sso_sign_in_then_enforce_then_break_glass_end_to_end(client, sso_org, oidc_connection, provider):
    from tests.identity.test_oidc import through_provider

    assert through_provider(client, provider, f"first@{DOMAIN}")["Location"] == "/orgs/acme-sso/"
    client.logout()
    services.set_sso_enforced(actor=sso_org.primary.user, organization=sso_org, enforced=True)
    assert password_sign_in(client, sso_org.owner.user.email).status_code == 200
    assert password_sign_in(client, sso_org.primary.user.email).status_code == 302
