"""Schemathesis against the generated OpenAPI document: no 5xx, no undocumented status code or content type,
no answer that breaks its schema; session endpoints signed in, Admin API endpoints with a key made by the test."""

import pytest
import schemathesis
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections
from django.middleware.csrf import _get_new_csrf_string
from hypothesis import HealthCheck, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from api.services import create_api_key
from api.v1 import api
from tests.factories import InvitationFactory, MembershipFactory, OrganizationFactory

pytestmark = pytest.mark.postgres  # run as in production; CI runs it in `make test` on PostgreSQL

# Bounded so the whole suite stays within its time budget; raise locally to search harder.
MAX_EXAMPLES = 40

# The test sends the credentials itself, so requests that leave them out are not generated.
config = schemathesis.config.SchemathesisConfig()
config.projects.override.generation.update(with_security_parameters=False)
schema = schemathesis.openapi.from_dict(api.document(), config=config)
app = WSGIHandler()


@pytest.fixture
def same_connection():
    """Keep Django from closing the test's connection (and its transaction) at each request, as its test client does."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def signed_in(client, db, same_connection, settings):
    """Credentials for the `acme` org the document's examples name: a member's session and CSRF token, and a
    write key its Primary Owner made (with members, an invitation and audit events to list)."""
    settings.API_KEY_RATE_LIMIT_PER_MINUTE = 10**6
    org = OrganizationFactory(slug="acme", plan="enterprise")
    owner = MembershipFactory(organization=org, role="primary_owner")
    membership = MembershipFactory(organization=org, role="member")
    admin = MembershipFactory(organization=org, role="admin")
    invitation = InvitationFactory(organization=org)
    _, key = create_api_key(actor=owner.user, organization=org, name="schemathesis", scopes=["read", "write"])
    client.force_login(membership.user)
    token = _get_new_csrf_string()
    return {
        "session": {"cookies": {"sessionid": client.cookies["sessionid"].value, "csrftoken": token},
                    "headers": {"X-CSRFToken": token}},
        "key": {"headers": {"x-api-key": key}},
        "ids": {"member_id": admin.pk, "invitation_id": invitation.pk},
    }


def _aim(case, signed_in):
    """Aim valid requests at the org the credentials are for, and at its real members and invitation: otherwise a
    random slug or id (404) stops almost every request before it reaches the services."""
    for name in case.path_parameters:
        case.path_parameters[name] = "acme" if name == "slug" else signed_in["ids"].get(name, case.path_parameters[name])
    if case.operation.path.endswith("/invitations") and isinstance(case.body, dict) and "email" in case.body:
        case.body["email"] = f"invitee-{abs(hash(case.body['email'])) % 10**6}@example.test"
    if case.operation.path.endswith("/feedback") and isinstance(case.body, dict) and (case.body.get("message_index") or 0) % 4:
        # Let most reports rate the last response: a random message_index (400) stops most of them too.
        del case.body["message_index"]


def _credentials(case, signed_in):
    """A key where the operation takes one, else the session."""
    schemes = {name for requirement in case.operation.definition.raw.get("security", []) for name in requirement}
    return signed_in["key"] if "ApiKeyHeader" in schemes else signed_in["session"]


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much])
def test_api_answers_only_what_its_document_says(case, signed_in):
    if case.meta and case.meta.generation.mode == GenerationMode.POSITIVE:
        _aim(case, signed_in)
    case.call_and_validate(
        app=app, **_credentials(case, signed_in),
        checks=[not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance,
                negative_data_rejection],
    )
