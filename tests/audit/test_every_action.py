"""Every action a service can write, from an event the service itself wrote, read through the page and the CSV.

A new registered action without a case here fails test_every_registered_action_has_a_case.
"""

import csv
import io

import pytest
from django.urls import reverse

from audit.actions import ACTIONS
from orgs import invitations, selectors, services
from tests.factories import ConsoleOrganizationFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def _staff():
    return UserFactory(is_staff=True, is_superuser=True)


def _thumbs(m):
    services.set_feedback_setting(actor=m["owner"].user, organization=m["owner"].organization, enabled=False)
    return m["owner"], ["Thumbs Feedback: On → Off"]


def _workbench(m):
    org = ConsoleOrganizationFactory()
    admin, other = (MembershipFactory(organization=org, role="admin") for _ in range(2))
    services.set_feedback_setting(actor=admin.user, organization=org, enabled=False)
    return other, ["Workbench feedback: On → Off"]


def _model_training(m):
    primary = m["primary_owner"]
    version = selectors.get_training_terms_version()
    services.set_model_training(actor=primary.user, organization=primary.organization, enabled=True, terms_version=version)
    return primary, ["Model training: Off → On", f"Terms version: {version}"]


def _added(m):
    newcomer = UserFactory()
    services.add_member(actor=_staff(), organization=m["owner"].organization, user=newcomer, role="admin")
    return m["owner"], ["Role: Admin"]


def _invite(m):
    return invitations.invite_member(actor=m["owner"].user, organization=m["owner"].organization,
                                     email="new@example.test", role="member")


def _invited(m):
    _invite(m)
    return m["owner"], ["Role: Member"]


def _resent(m):
    invitations.resend_invitation(actor=m["owner"].user, invitation=_invite(m))
    return m["owner"], ["Role: Member"]


def _revoked(m):
    invitations.revoke_invitation(actor=m["owner"].user, invitation=_invite(m))
    return m["owner"], ["Role: Member"]


def _role_changed(m):
    services.change_member_role(actor=m["owner"].user, membership=m["member"], role="admin")
    return m["owner"], ["Role: Member → Admin"]


def _removed(m):
    services.remove_member(actor=m["owner"].user, membership=m["member"])
    return m["owner"], ["Role: Member → removed"]


def _transferred(m):
    old, new = m["primary_owner"], m["owner"]
    services.transfer_primary_ownership(actor=old.user, membership=new)
    return old, [f"Primary Owner: {old.user.email} → {new.user.email}",
                 f"Role of {new.user.email}: Owner → Primary Owner", f"Role of {old.user.email}: Primary Owner → Owner"]


def _created(m):
    staff = _staff()
    org = services.create_organization(actor=staff, name="New Corp", slug="new-corp", kind="claude", plan="team")
    viewer = services.add_member(actor=staff, organization=org, user=UserFactory(), role="primary_owner")
    return viewer, ["Name: New Corp", "Address (slug): new-corp", "Kind: Claude for Work", "Plan: Team"]


def _details_changed(m):
    services.update_organization_details(actor=_staff(), organization=m["owner"].organization, changes={"name": "Renamed"})
    return m["primary_owner"], ["Name: Claude Enterprise Org → Renamed"]


CASES = {
    "settings.thumbs_feedback.changed": _thumbs,
    "settings.workbench_feedback.changed": _workbench,
    "settings.model_training.changed": _model_training,
    "member.added": _added,
    "member.invited": _invited,
    "member.invitation_resent": _resent,
    "member.invitation_revoked": _revoked,
    "member.role.changed": _role_changed,
    "member.removed": _removed,
    "member.primary_owner.transferred": _transferred,
    "org.created": _created,
    "org.details.changed": _details_changed,
}


def test_every_registered_action_has_a_case():
    assert set(CASES) == set(ACTIONS)


@pytest.mark.parametrize("code", list(CASES))
def test_an_event_the_service_wrote_reads_in_words_on_the_page_and_in_the_csv(client, claude_members, code):
    viewer, words = CASES[code](claude_members)
    client.force_login(viewer.user)
    slug = viewer.organization.slug

    page = client.get(reverse("orgs:audit-log", args=[slug]), {"action": code})
    assert page.status_code == 200
    [row] = [r for r in page.context["rows"] if r["event"].action == code][:1]
    assert row["action_label"] == ACTIONS[code].label
    assert [str(c) for c in row["changes"]] == words
    html = page.content.decode()
    assert ACTIONS[code].label in html and all(f"<div>{w}</div>" in html for w in words)

    response = client.get(reverse("orgs:audit-log-csv", args=[slug]), {"action": code})
    lines = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert lines and all(line["action_code"] == code for line in lines)
    assert lines[0]["action"] == ACTIONS[code].label
    assert lines[0]["change"] == "; ".join(words)
