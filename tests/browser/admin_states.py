"""Every staff admin page: the index, and each registered model's list, change form and add form.

Built from the admin's own registry, so a model registered later is checked without a line here;
it needs only a row in `seed_admin_rows` (the test says so when its change form has nothing to open).
"""

from datetime import timedelta

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from audit.services import RequestMeta, verify_audit_chains
from console.models import User
from feedback.models import Feedback
from feedback.services import record_report_viewed
from identity import services as identity_services
from identity.scim.services import create_group
from orgs.models import Membership, Organization
from orgs.selectors import get_training_terms_version
from orgs.services import set_model_training
from retention.models import RetentionRun

STAFF = "staff@acme.test"


class _Superuser:
    """Enough of a superuser for ModelAdmin.has_add_permission, without the database."""

    is_active = is_staff = is_superuser = True

    def has_perm(self, perm, obj=None):
        return True


class _Request:
    user = _Superuser()


def seed_admin_rows(seed_audit_events, invite):
    """One row for every registered model the demo data does not already have."""
    seed_audit_events()
    invite()()
    staff = User.objects.get(email=STAFF)
    report = Feedback.objects.create(
        surface="chat", rating="down", comment="The total is wrong.", message_index=1,
        conversation={"messages": [{"role": "user", "content": "Sum 2 and 2."}, {"role": "assistant", "content": "5"}]},
    )
    record_report_viewed(staff=staff, feedback_id=report.pk, request_meta=RequestMeta(ip_address="203.0.113.24", user_agent=""))
    now = timezone.now()
    RetentionRun.objects.create(
        started_at=now - timedelta(seconds=3), finished_at=now, status="succeeded", retention_years=5,
        cutoff=now - timedelta(days=5 * 365), batch_size=1000, batches=1, rows_deleted=12,
    )
    Group.objects.create(name="Support")
    acme = Organization.objects.get(slug="acme")
    set_model_training(actor=User.objects.get(email="primary@acme.test"), organization=acme, enabled=True,
                       terms_version=get_training_terms_version())
    _seed_identity(acme, User.objects.get(email="primary@acme.test"))
    verify_audit_chains(slugs=["acme"])
    where = {"user_agent": "Mozilla/5.0", "ip_address": "203.0.113.24", "username": "owner@acme.test",
             "http_accept": "text/html", "path_info": "/accounts/login/"}
    AccessAttempt.objects.create(**where, get_data="", post_data="username=owner%40acme.test", failures_since_start=3)
    AccessFailureLog.objects.create(**where)
    AccessLog.objects.create(**where)


def _seed_identity(org, primary):
    """Acme's identity rows, made as its Primary Owner and its directory would: a domain, an SSO connection,
    a SCIM token and a group the token pushed."""
    identity_services.add_domain(actor=primary, organization=org, name="acme.test")
    # Configuring reaches no provider (the issuer is looked up at the first sign-in).
    identity_services.configure_oidc(actor=primary, organization=org, issuer="https://idp.acme.test/oauth2",
                                     client_id="console", client_secret="demo-client-secret", jit_role="")
    token, _ = identity_services.create_scim_token(actor=primary, organization=org, name="Okta")
    member = User.objects.get(email="member@acme.test")
    create_group(token=token, data={"displayName": "Engineering", "externalId": "00g1eng",
                                    "members": [{"value": str(member.pk)}]})


def _first_row_url(model, opts):
    def url():
        row = model._default_manager.order_by("pk").first()
        assert row is not None, f"no {opts.label} row to open: add one in seed_admin_rows"
        return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[row.pk])

    return url


def _members_of_acme():
    return reverse("admin:orgs_membership_changelist") + f"?organization__id__exact={Organization.objects.get(slug='acme').pk}"


def _delete_a_member():
    member = Membership.objects.get(organization__slug="acme", user__email="member@acme.test")
    return reverse("admin:orgs_membership_delete", args=[member.pk])


def admin_states(State, *, seed_audit_events, invite):
    """The states, built with the caller's State record and data helpers, in a stable order."""

    def seed():
        seed_admin_rows(seed_audit_events, invite)

    states = {"admin-index": State(STAFF, "/admin/", setup=seed)}
    registry = sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label)
    for model, model_admin in registry:
        opts = model._meta
        name = f"admin-{opts.app_label}-{opts.model_name}"
        states[f"{name}-list"] = State(STAFF, reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"), setup=seed)
        states[f"{name}-change"] = State(STAFF, _first_row_url(model, opts), setup=seed)
        if model_admin.has_add_permission(_Request()):
            states[f"{name}-add"] = State(STAFF, reverse(f"admin:{opts.app_label}_{opts.model_name}_add"), setup=seed)
    # The staff's main flow: an organization's members, filtered from its page, and removing one.
    states["admin-orgs-membership-list-filtered"] = State(STAFF, _members_of_acme, setup=seed)
    states["admin-orgs-membership-delete"] = State(STAFF, _delete_a_member, setup=seed)
    states["admin-sign-in"] = State(None, reverse("admin:login"))
    return states
