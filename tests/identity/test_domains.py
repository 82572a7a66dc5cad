"""Verified domains: the TXT record looked up through a real DNS server, one organization per domain, the daily re-check."""

from datetime import timedelta

import pytest
from django.utils import timezone

from audit.models import AuditEvent
from identity import services
from identity.models import Domain
from orgs.services import NotAllowed, ServiceError
from tests.factories import MembershipFactory, OrganizationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner(claude_members):
    return claude_members["owner"].user


def publish(dns, domain):
    dns.publish(domain.record_name, domain.record_value)


def test_a_domain_is_verified_once_its_txt_record_is_published(dns, claude_org, owner):
    domain = services.add_domain(actor=owner, organization=claude_org, name=" Example.COM. ")
    assert domain.name == "example.com" and domain.record_name == "_dmc-challenge.example.com"
    with pytest.raises(ServiceError, match="TXT record was not found"):
        services.verify_domain(actor=owner, organization=claude_org, domain_id=domain.pk)
    dns.publish(domain.record_name, "dmc-verification=someone-elses-token")
    with pytest.raises(ServiceError):
        services.verify_domain(actor=owner, organization=claude_org, domain_id=domain.pk)
    publish(dns, domain)
    assert services.verify_domain(actor=owner, organization=claude_org, domain_id=domain.pk) is True
    domain.refresh_from_db()
    assert domain.is_verified
    actions = list(AuditEvent.objects.filter(organization=claude_org).values_list("action", flat=True))
    assert actions == ["identity.domain.verified", "identity.domain.added"]


def test_a_domain_is_verified_by_one_organization_at_most(dns, claude_org, owner):
    rival = OrganizationFactory(slug="rival")
    rival_owner = MembershipFactory(organization=rival, role="owner").user
    ours = services.add_domain(actor=owner, organization=claude_org, name="shared.test")
    theirs = services.add_domain(actor=rival_owner, organization=rival, name="shared.test")
    publish(dns, ours)
    publish(dns, theirs)
    services.verify_domain(actor=owner, organization=claude_org, domain_id=ours.pk)
    with pytest.raises(ServiceError, match="Another organization has already verified"):
        services.verify_domain(actor=rival_owner, organization=rival, domain_id=theirs.pk)
    assert Domain.objects.filter(name="shared.test", verified_at__isnull=False).count() == 1


@pytest.mark.parametrize("name", ["", "localhost", "exa mple.com", "-bad.com", "a" * 64 + ".com", "x\x00.com", "ex_ample.com"])
def test_a_name_that_is_not_a_domain_is_refused(claude_org, owner, name):
    with pytest.raises(services.FieldError):
        services.add_domain(actor=owner, organization=claude_org, name=name)


def test_an_international_domain_is_kept_in_its_ascii_form(claude_org, owner):
    assert services.add_domain(actor=owner, organization=claude_org, name="bücher.example").name == "xn--bcher-kva.example"


def test_the_daily_check_unverifies_after_seven_days_of_failure(dns, claude_org, owner):
    domain = services.add_domain(actor=owner, organization=claude_org, name="lapsed.test")
    publish(dns, domain)
    services.verify_domain(actor=owner, organization=claude_org, domain_id=domain.pk)
    dns.clear()
    now = timezone.now()
    assert services.recheck_domain(domain_id=domain.pk, now=now) == "failing"
    assert services.recheck_domain(domain_id=domain.pk, now=now + timedelta(days=6, hours=23)) == "failing"
    assert services.recheck_verified_domains(now=now + timedelta(days=7)) == 1
    domain.refresh_from_db()
    assert not domain.is_verified
    event = AuditEvent.objects.get(action="identity.domain.unverified")
    assert event.actor is None and event.actor_label == "System"


def test_a_record_back_within_the_grace_keeps_the_domain(dns, claude_org, owner):
    domain = services.add_domain(actor=owner, organization=claude_org, name="flaky.test")
    publish(dns, domain)
    services.verify_domain(actor=owner, organization=claude_org, domain_id=domain.pk)
    dns.clear()
    now = timezone.now()
    services.recheck_domain(domain_id=domain.pk, now=now)
    publish(dns, domain)
    assert services.recheck_domain(domain_id=domain.pk, now=now + timedelta(days=3)) == "ok"
    dns.clear()
    assert services.recheck_domain(domain_id=domain.pk, now=now + timedelta(days=8)) == "failing"


def test_only_deciders_on_enterprise_manage_domains(claude_members, team_members):
    with pytest.raises(NotAllowed):
        services.add_domain(actor=claude_members["admin"].user, organization=claude_members["admin"].organization, name="a.test")
    with pytest.raises(ServiceError, match="Enterprise plan"):
        services.add_domain(actor=team_members["owner"].user, organization=team_members["owner"].organization, name="a.test")


def test_removing_a_domain_is_audited(claude_org, owner):
    domain = services.add_domain(actor=owner, organization=claude_org, name="gone.test")
    services.remove_domain(actor=owner, organization=claude_org, domain_id=domain.pk)
    assert not Domain.objects.exists()
    assert AuditEvent.objects.filter(action="identity.domain.removed", target="domain:gone.test").exists()


def test_dns_nameservers_take_host_and_port(settings):
    from identity.dns_check import resolver

    settings.DNS_NAMESERVERS = ["127.0.0.1:5353", "[::1]:53", "192.0.2.1"]
    ports = [(ns.address, ns.port) for ns in resolver().nameservers]
    assert ports == [("127.0.0.1", 5353), ("::1", 53), ("192.0.2.1", 53)]
