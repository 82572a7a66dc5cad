"""Every URL pattern of the project, walked with the worst values: no answer is a 5xx.

The patterns come from the URLconf itself (pages, the staff admin, the API; whatever app adds
URLs later is walked too). Each is requested as staff, as an organization's owner and signed
out, with the values a hostile client sends in each place:

- path segments: a NUL, a lone surrogate's UTF-8 bytes, bytes that are not UTF-8 (each answered
  400 before anything reads them), and in the variable segments also 3,000 characters, numbers
  past 64 bits, -1, an Arabic-Indic digit and markup;
- query strings: the same, in every field name any page's forms use, and on every staff list in
  each of its filters' parameters, its search, ordering and page;
- form fields: the same, posted in every field name any page's forms use.

Under /api/ every error must also be the API's JSON error. Each URL's requests run in a
savepoint rolled back afterwards, so a post that changes something does not change the walk.
"""

import re
from urllib.parse import quote

import pytest
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.test import Client
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse

from feedback.models import Feedback
from orgs.models import Organization
from retention.models import RetentionRun
from tests.audit.helpers import record_events
from tests.factories import ConsoleOrganizationFactory, InvitationFactory, MembershipFactory, OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db

# Percent-encoded as a client sends them. Unreadable values are refused (400) wherever they are, by
# one middleware before any URL is resolved: each URL gets one of them in each place, in turn.
UNREADABLE = ["%00", "a%00b", "%ED%A0%80", "%FF"]
ODD = ["x" * 3000, "99999999999999999999", "%D9%A3"]
# Parameters the admin lists read besides their filters: search, ordering, page, the related-field key.
ADMIN_LIST_PARAMS = ["q", "o", "p", "_to_field"]
# Names some views read from the query string though no form on a page names them.
QUERY_NAMES = ["slug", "next", "page", "limit", "after_id", "before_id", "email"]
NAME_IN_FORM = re.compile(r'<(?:input|select|textarea|button)\b[^>]*?\bname="([^"]+)"')


def _patterns(patterns=None, namespace="", kwargs=()):
    """(name with namespaces, the URL's keyword names) for every named pattern, through every include."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        names = (*kwargs, *pattern.pattern.regex.groupindex)
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _patterns(pattern.url_patterns, inner, names)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}", names


@pytest.fixture
def world(db):
    """Both kinds of organization with an owner, another member and an open invitation; a row for every admin."""
    claude = OrganizationFactory(slug="walk-claude")
    console = ConsoleOrganizationFactory(slug="walk-console")
    owner = UserFactory(email="owner@walk.test")
    staff = UserFactory(email="staff@walk.test", is_staff=True, is_superuser=True)
    orgs = {}
    for org, role, other_role in ((claude, "owner", "member"), (console, "admin", "developer")):
        MembershipFactory(organization=org, user=owner, role=role)
        orgs[org.slug] = {
            "member_id": MembershipFactory(organization=org, role=other_role).pk,
            "invitation": InvitationFactory(organization=org, invited_by=owner),
        }
    record_events(claude, 1)
    Feedback.objects.create(surface="chat", rating="up", conversation={"messages": []})
    RetentionRun.objects.create(started_at="2026-01-01T00:00:00Z", retention_years=5, cutoff="2021-01-01T00:00:00Z")
    Client(REMOTE_ADDR="192.0.2.1").post("/accounts/login/", {"username": "owner@walk.test", "password": "wrong"})
    return {"owner": owner, "staff": staff, "orgs": orgs}


# What a keyword the walk has no value for gets: the first that the pattern's converter accepts.
FALLBACKS = [1, "00000000-0000-4000-8000-000000000000", "x"]


def _reverse(name, keywords, values):
    for fallback in FALLBACKS:
        try:
            return reverse(name, kwargs={k: values.get(k, fallback) for k in keywords})
        except NoReverseMatch:
            continue
    raise AssertionError(f"no value reaches {name} {keywords}: give the walk one")


def _admin_models():
    return {f"{model._meta.app_label}_{model._meta.model_name}": model for model in admin.site._registry}


def _good_paths(world):
    """One path per named pattern (per organization for organization URLs), with values that exist."""
    models = _admin_models()
    org_type = ContentType.objects.get_for_model(Organization)
    for name, keywords in sorted(set(_patterns())):
        if name.startswith("admin:"):
            model = next((m for key, m in models.items() if name.startswith(f"admin:{key}_")), Organization)
            first = model._default_manager.order_by("pk").first()
            pk = first.pk if first else 1
            values = {"object_id": pk, "id": pk, "app_label": "orgs", "content_type_id": org_type.pk}
            yield name, _reverse(name, keywords, values)
            continue
        for slug, facts in world["orgs"].items():
            values = {"slug": slug, "member_id": facts["member_id"], "invitation_id": facts["invitation"].pk,
                      "token": facts["invitation"].token}
            yield name, _reverse(name, keywords, values)
            if "slug" not in keywords:
                break  # the same URL whichever organization


class Walk:
    """Requests one client makes; every answer that breaks a rule is kept for the report."""

    def __init__(self, client):
        self.client, self.failures, self.count = client, [], 0

    def check(self, method, url, response, *, unreadable):
        self.count += 1
        status = response.status_code
        if status >= 500:
            self.failures.append(f"{status} {method} {url[:160]}")
        elif unreadable and status != 400:
            self.failures.append(f"{status} (not 400) {method} {url[:160]}")
        elif url.startswith("/api/") and status >= 400 and not response.get("Content-Type", "").startswith("application/json"):
            self.failures.append(f"{status} not JSON {method} {url[:160]}")

    def get(self, path, query="", *, unreadable=False):
        url = f"{path}?{query}" if query else path
        self.check("GET", url, self.client.get(url), unreadable=unreadable)

    def post(self, path, body, *, unreadable=False):
        response = self.client.post(path, body.encode("latin-1"), content_type="application/x-www-form-urlencoded")
        self.check("POST", f"{path} [{body[:80]}]", response, unreadable=unreadable)


def _form(names, value):
    return "&".join(f"{quote(name)}={value}" for name in sorted(names))


def _walk_url(walk, path, field_names, unreadable, *, posts):
    """Each value in the variable path segments, the query and (with posts) a form; ``unreadable`` must be a 400.

    The staff admin's forms get odd values field by field in tests/orgs/test_staff_admin.py; here
    they get the unreadable one only.
    """
    segments = path.split("/")
    # Segments a converter filled (ids, slugs, tokens) rarely read as one plain word: those get the values.
    variable = [n for n, segment in enumerate(segments) if segment and not segment.isalpha()] or [len(segments) - 2]
    for value in [unreadable, *ODD]:
        bad = value == unreadable
        for n in variable:
            walk.get("/".join([*segments[:n], value, *segments[n + 1:]]), unreadable=bad)
        walk.get(path, _form([*field_names, *QUERY_NAMES], value), unreadable=bad)
        if posts or bad:
            walk.post(path, _form(field_names, value), unreadable=bad)


def _walk_admin_list(walk, path, changelist):
    """Each filter's parameters, the search, ordering and page of one staff list, with every bad value."""
    params = [param for spec in changelist.filter_specs for param in spec.expected_parameters()]
    for param in [*params, *ADMIN_LIST_PARAMS]:
        for value in ["%00", *ODD]:
            walk.get(path, f"{quote(param)}={value}", unreadable=value == "%00")


@pytest.mark.parametrize("who", ["staff", "owner", "signed-out"])
def test_no_url_answers_a_5xx_for_any_value_in_its_path_query_or_form(world, who):
    client = Client(raise_request_exception=False)
    user = world.get(who)
    paths = list(_good_paths(world))
    walk = Walk(client)
    # Field names of every form the walker can see, posted and queried everywhere.
    field_names = set()
    for _name, path in paths:
        with transaction.atomic():
            if user:
                client.force_login(user)
            response = client.get(path)
            walk.check("GET", path, response, unreadable=False)
            if response.get("Content-Type", "").startswith("text/html"):
                field_names.update(NAME_IN_FORM.findall(response.content.decode()))
            transaction.set_rollback(True)
    field_names.discard("csrfmiddlewaretoken")
    for n, (name, path) in enumerate(paths):
        # Past its baseline, each URL is walked by those who get past its sign-in: staff in the admin, others on pages.
        staff_page = name.startswith("admin:")
        if staff_page != (who == "staff") or name.endswith("logout"):
            continue
        with transaction.atomic():
            if user:
                client.force_login(user)
            _walk_url(walk, path, field_names, UNREADABLE[n % len(UNREADABLE)], posts=not staff_page)
            if name.endswith("_changelist"):
                _walk_admin_list(walk, path, client.get(path).context["cl"])
            transaction.set_rollback(True)
    assert walk.count > 500
    assert not walk.failures, f"{len(walk.failures)} of {walk.count} requests broke a rule:\n" + "\n".join(walk.failures[:60])
