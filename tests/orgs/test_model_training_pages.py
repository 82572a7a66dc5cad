"""The model training choice on Data Management / Privacy, the overview's facts, the settings API and the staff admin."""

from datetime import UTC, datetime

import pytest
from django.test import Client
from django.urls import reverse

from audit.models import AuditEvent
from orgs import services
from orgs.models import ModelTrainingPeriod, Organization
from orgs.views import ERR_NO_TERMS_VERSION
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

TERMS = "2025-10-01"
CLIENT_IP = "203.0.113.7"
EFFECT = "From the moment you confirm, conversations in"
NOT_USED = "Inputs and outputs are not used to train models unless someone gives feedback."
READ_ONLY_OWNER = "Only the Primary Owner of this organization can change model training."

# page → (members fixture, the role that decides model training, the settings page)
PAGES = {
    "data-management": ("claude_members", "primary_owner"),
    "team": ("team_members", "primary_owner"),
    "privacy": ("console_members", "admin"),
}


@pytest.fixture(autouse=True)
def _terms(settings):
    settings.TRAINING_TERMS_VERSION = TERMS


@pytest.fixture(params=list(PAGES))
def decider(request, client):
    """A signed-in decider of model training on their organization's settings page, and its URLs."""
    members_fixture, role = PAGES[request.param]
    membership = request.getfixturevalue(members_fixture)[role]
    client.force_login(membership.user)
    org = membership.organization
    page = org.profile.settings_page
    return {
        "client": client, "org": org, "user": membership.user,
        "url": reverse(f"orgs:{page}", args=[org.slug]),
        "form_url": reverse(f"orgs:{page}-model-training", args=[org.slug]),
        "confirm_url": reverse(f"orgs:{page}-model-training-confirm", args=[org.slug]),
    }


def _post(decider, url, data):
    return decider["client"].post(url, data, REMOTE_ADDR=CLIENT_IP)


def _enabled(decider):
    return Organization.objects.get(pk=decider["org"].pk).model_training_enabled


def _turn_on(decider):
    services.set_model_training(actor=decider["user"], organization=decider["org"], enabled=True, terms_version=TERMS)


def test_the_page_shows_model_training_off_with_its_own_form(decider):
    html = decider["client"].get(decider["url"]).content.decode()
    assert 'data-testid="training-state">Off<' in html
    assert f'action="{decider["form_url"]}"' in html and 'name="model_training_enabled"' in html
    assert decider["form_url"].startswith(decider["url"]) and decider["confirm_url"].startswith(decider["url"])
    assert html.count("csrfmiddlewaretoken") >= 2  # the training form and its confirmation each carry the token
    assert NOT_USED in html


def test_turning_it_on_answers_a_confirmation_naming_the_terms_and_changes_nothing(decider):
    response = _post(decider, decider["form_url"], {"model_training_enabled": "on"})
    html = response.content.decode()
    assert response.status_code == 200
    assert f'action="{decider["confirm_url"]}"' in html
    assert "data-open-on-load" in html
    assert EFFECT in html and "may be used to train models" in html
    assert "Conversations from before that moment are not used" in html
    assert f'data-testid="terms-version">{TERMS}<' in html
    assert f'name="terms_version" value="{TERMS}"' in html
    assert _enabled(decider) is False
    assert not AuditEvent.objects.exists() and not ModelTrainingPeriod.objects.exists()


def test_confirming_turns_it_on_with_one_audit_event_naming_the_terms(decider):
    response = _post(decider, decider["confirm_url"], {"confirmed": "yes", "terms_version": TERMS})
    assert response.status_code == 302 and response["Location"] == decider["url"]
    assert _enabled(decider) is True
    event = AuditEvent.objects.get()
    assert (event.action, event.actor, event.ip_address) == ("settings.model_training.changed", decider["user"], CLIENT_IP)
    assert event.new_value == {"model_training_enabled": True, "terms_version": TERMS}
    period = ModelTrainingPeriod.objects.get()
    assert (period.started_by, period.terms_version, period.ended_at) == (decider["user"], TERMS, None)

    html = decider["client"].get(decider["url"]).content.decode()
    assert "Model training is now on." in html
    assert 'data-testid="training-state">On<' in html
    assert f"terms version {TERMS}" in html and NOT_USED not in html
    assert "conversations from that moment on may be used to train models" in html


def test_a_confirmation_of_old_terms_is_refused_with_the_current_ones_shown(decider, settings):
    settings.TRAINING_TERMS_VERSION = "2026-01-15"
    response = _post(decider, decider["confirm_url"], {"confirmed": "yes", "terms_version": TERMS})
    html = response.content.decode()
    assert response.status_code == 409
    assert 'data-testid="training-error"' in html and "terms version 2026-01-15" in html
    assert 'name="terms_version" value="2026-01-15"' in html
    assert _enabled(decider) is False and not AuditEvent.objects.exists()


@pytest.mark.parametrize("data", [{"confirmed": "yes"}, {"confirmed": "yes", "terms_version": "x" * 65}])
def test_a_confirmation_without_a_terms_version_is_a_400_and_changes_nothing(decider, data):
    response = _post(decider, decider["confirm_url"], data)
    assert response.status_code == 400
    assert ERR_NO_TERMS_VERSION in response.content.decode()
    assert _enabled(decider) is False and not AuditEvent.objects.exists()


def test_the_confirmation_url_without_confirmed_asks_again(decider):
    response = _post(decider, decider["confirm_url"], {"terms_version": TERMS})
    assert response.status_code == 200 and f'action="{decider["confirm_url"]}"' in response.content.decode()
    assert _enabled(decider) is False


def test_turning_it_off_applies_at_once(decider):
    _turn_on(decider)
    response = _post(decider, decider["form_url"], {})
    assert response.status_code == 302
    assert _enabled(decider) is False
    assert ModelTrainingPeriod.objects.get().ended_at is not None
    assert AuditEvent.objects.filter(action="settings.model_training.changed").count() == 2
    assert "Model training is now off." in decider["client"].get(decider["url"]).content.decode()


def test_posting_on_while_on_changes_nothing(decider):
    _turn_on(decider)
    response = _post(decider, decider["form_url"], {"model_training_enabled": "on"})
    assert response.status_code == 302
    assert ModelTrainingPeriod.objects.count() == 1 and AuditEvent.objects.count() == 1


def test_the_forms_refuse_a_post_without_the_csrf_token(decider):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(decider["user"])
    assert strict.post(decider["form_url"], {}).status_code == 403
    assert strict.post(decider["confirm_url"], {"confirmed": "yes", "terms_version": TERMS}).status_code == 403
    assert _enabled(decider) is False


def test_an_enterprise_owner_sees_the_choice_read_only_with_the_reason_and_is_refused(client, claude_members):
    owner = claude_members["owner"]
    client.force_login(owner.user)
    url = reverse("orgs:data-management", args=["claude-ent"])
    html = client.get(url).content.decode()
    assert 'data-testid="training-read-only-reason"' in html and READ_ONLY_OWNER in html
    assert 'name="model_training_enabled"' not in html and 'id="confirm-training"' not in html
    assert 'name="thumbs_feedback_enabled"' in html  # the Owner still changes Thumbs Feedback
    for name, data in (("data-management-model-training", {"model_training_enabled": "on"}),
                       ("data-management-model-training-confirm", {"confirmed": "yes", "terms_version": TERMS})):
        response = client.post(reverse(f"orgs:{name}", args=["claude-ent"]), data)
        assert response.status_code == 403
        assert READ_ONLY_OWNER in response.content.decode()
    assert Organization.objects.get(slug="claude-ent").model_training_enabled is False
    assert not AuditEvent.objects.exists()


def test_the_team_primary_owner_decides_model_training_while_thumbs_feedback_stays_read_only(client, team_members):
    client.force_login(team_members["primary_owner"].user)
    html = client.get(reverse("orgs:data-management", args=["claude-team"])).content.decode()
    assert 'name="model_training_enabled"' in html
    assert 'name="thumbs_feedback_enabled"' not in html and "Enterprise plan only" in html


def test_the_overview_tells_the_truth_in_both_states(client, claude_members):
    primary = claude_members["primary_owner"]
    client.force_login(claude_members["member"].user)
    url = reverse("orgs:overview", args=["claude-ent"])
    assert NOT_USED in client.get(url).content.decode()
    at = datetime(2026, 2, 3, 4, 5, 6, 789000, tzinfo=UTC)
    services.set_model_training(actor=primary.user, organization=primary.organization, enabled=True, terms_version=TERMS, now=at)
    html = client.get(url).content.decode()
    assert NOT_USED not in html
    assert f'On since <time datetime="{at.isoformat()}">3 February 2026, 04:05 UTC</time> (terms version {TERMS})' in html
    assert "conversations from before it are not" in html


def test_the_settings_api_carries_the_choice_its_start_and_its_terms(client, console_members):
    admin = console_members["admin"]
    client.force_login(console_members["user"].user)
    url = "/api/v1/orgs/console-org/settings"
    at = datetime(2026, 7, 1, 12, 0, 0, 123456, tzinfo=UTC)
    services.set_model_training(actor=admin.user, organization=admin.organization, enabled=True, terms_version=TERMS, now=at)
    assert client.get(url).json() == {
        "workbench_feedback_enabled": True, "model_training_enabled": True,
        "model_training_since": "2026-07-01T12:00:00.123456Z", "model_training_terms_version": TERMS,
    }
    services.set_model_training(actor=admin.user, organization=admin.organization, enabled=False)
    assert client.get(url).json() == {
        "workbench_feedback_enabled": True, "model_training_enabled": False,
        "model_training_since": None, "model_training_terms_version": None,
    }


# Staff: the choice and its history in the admin, read-only.


@pytest.fixture
def staff_client(client, db):
    client.force_login(UserFactory(is_staff=True, is_superuser=True, email="root@example.test"))
    return client


def test_staff_see_the_choice_and_its_periods_read_only(staff_client, claude_members):
    primary = claude_members["primary_owner"]
    org = primary.organization
    services.set_model_training(actor=primary.user, organization=org, enabled=True, terms_version=TERMS)
    url = f"/admin/orgs/organization/{org.pk}/change/"
    page = staff_client.get(url)
    html = page.content.decode()
    assert "model_training_enabled" not in page.context["adminform"].form.fields  # shown, not a form field
    assert "Model training periods" in html and primary.user.email in html and TERMS in html and "still on" in html

    # A post naming the field changes nothing: consent is the customer's to give.
    response = staff_client.post(url, {"name": org.name, "slug": org.slug, "plan": org.plan, "thumbs_feedback_enabled": "on",
                                       "model_training_enabled": ""})
    assert response.status_code == 302
    assert Organization.objects.get(pk=org.pk).model_training_enabled is True
    assert not AuditEvent.objects.exclude(actor=primary.user).exists()

    periods = staff_client.get(f"/admin/orgs/modeltrainingperiod/?organization__id__exact={org.pk}")
    assert periods.status_code == 200 and len(periods.context["cl"].result_list) == 1
    period = ModelTrainingPeriod.objects.get()
    assert staff_client.get(f"/admin/orgs/modeltrainingperiod/{period.pk}/change/").status_code == 200
    assert staff_client.post(f"/admin/orgs/modeltrainingperiod/{period.pk}/change/", {"ended_at_0": "2026-01-01"}).status_code == 403
    assert staff_client.post(f"/admin/orgs/modeltrainingperiod/{period.pk}/delete/", {"post": "yes"}).status_code == 403
    assert staff_client.get("/admin/orgs/modeltrainingperiod/add/").status_code == 403
    assert ModelTrainingPeriod.objects.get().ended_at is None


def test_a_member_who_may_not_open_the_page_gets_403_on_the_training_forms(client, console_members):
    client.force_login(console_members["developer"].user)
    response = client.post(reverse("orgs:privacy-model-training", args=["console-org"]), {"model_training_enabled": "on"})
    assert response.status_code == 403
    assert "Only the Org Admins of this organization can open Privacy." in response.content.decode()


def test_a_second_org_admin_turns_it_off(client, console_members):
    admin = console_members["admin"]
    other = MembershipFactory(organization=admin.organization, role="admin")
    services.set_model_training(actor=admin.user, organization=admin.organization, enabled=True, terms_version=TERMS)
    client.force_login(other.user)
    assert client.post(reverse("orgs:privacy-model-training", args=["console-org"]), {}).status_code == 302
    assert ModelTrainingPeriod.objects.get().ended_by == other.user
