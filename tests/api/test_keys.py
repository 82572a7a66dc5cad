"""Organization keys: their form, how they are kept, checked, limited and put on the record."""

import json
import logging
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from api import keys
from api.audit import ACTION_KEY_CREATED, ACTION_KEY_REVOKED
from api.models import ApiKey
from api.permissions import ERR_KEY_CREATOR
from api.selectors import KEY_CHECK_SQL
from api.services import ERR_EXPIRY_PAST, ERR_EXPIRY_TOO_FAR, ERR_SCOPES, create_api_key, revoke_api_key
from audit.models import AuditEvent
from audit.services import RequestMeta
from orgs import services as org_services
from orgs.services import NotAllowed, ServiceError

from .conftest import READ

SETTINGS = "/api/v1/orgs/claude-ent/settings"


def test_a_key_has_the_prefix_and_a_checksum_that_catches_any_one_changed_character():
    key = keys.new_key()
    assert key.startswith("dmc_admin_") and len(key) == keys.KEY_LENGTH
    assert keys.is_well_formed(key)
    for position in range(len(keys.PREFIX), len(key)):
        for replacement in "0aZ":
            typo = key[:position] + replacement + key[position + 1:]
            if typo != key:
                assert not keys.is_well_formed(typo), (position, replacement)
    assert not keys.is_well_formed(key[:-1]) and not keys.is_well_formed(key + "A")
    assert not keys.is_well_formed("ghp_" + key[len(keys.PREFIX):])


def test_keys_are_random():
    assert len({keys.new_key() for _ in range(200)}) == 200


@pytest.mark.django_db
def test_a_key_is_kept_only_as_a_keyed_hash_and_its_hint(claude_members, make_key):
    text = make_key(claude_members["owner"])
    stored = ApiKey.objects.get()
    assert stored.digest == keys.key_digest(text) != text
    assert stored.hint == text[-4:]
    assert all(text not in str(value) for value in ApiKey.objects.values().get().values())
    assert all(text not in json.dumps([e.old_value, e.new_value, e.target]) for e in AuditEvent.objects.all())


@pytest.mark.django_db
def test_another_server_secret_opens_nothing(claude_members, make_key, call, settings):
    text = make_key(claude_members["owner"])
    settings.API_KEY_SECRET = "another-secret"
    assert call("GET", SETTINGS, key=text).status_code == 401


@pytest.mark.django_db
def test_making_and_revoking_a_key_is_on_the_record(claude_members):
    owner = claude_members["owner"]
    meta = RequestMeta(ip_address="203.0.113.5", user_agent="browser")
    key, _ = create_api_key(actor=owner.user, organization=owner.organization, name="SIEM", scopes=["read"], request_meta=meta)
    assert revoke_api_key(actor=owner.user, key=key, request_meta=meta) is True
    assert revoke_api_key(actor=owner.user, key=key, request_meta=meta) is False
    events = list(AuditEvent.objects.order_by("id").values_list("action", "actor_id", "target", "ip_address"))
    assert events == [
        (ACTION_KEY_CREATED.code, owner.user.pk, f"api_key:{key.masked}", "203.0.113.5"),
        (ACTION_KEY_REVOKED.code, owner.user.pk, f"api_key:{key.masked}", "203.0.113.5"),
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["admin", "member"])
def test_only_deciders_make_keys(claude_members, role):
    with pytest.raises(NotAllowed):
        create_api_key(actor=claude_members[role].user, organization=claude_members[role].organization, name="x", scopes=["read"])
    assert not ApiKey.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(("expires_in", "scopes", "error"), [
    (timedelta(days=366), ["read"], ERR_EXPIRY_TOO_FAR),
    (timedelta(seconds=-1), ["read"], ERR_EXPIRY_PAST),
    (None, ["write"], ERR_SCOPES),
    (None, ["read", "admin"], ERR_SCOPES),
])
def test_a_key_lives_at_most_a_year_and_always_reads(claude_members, expires_in, scopes, error):
    owner = claude_members["owner"]
    expires_at = timezone.now() + expires_in if expires_in else None
    with pytest.raises(ServiceError, match=error):
        create_api_key(actor=owner.user, organization=owner.organization, name="x", scopes=scopes, expires_at=expires_at)


@pytest.mark.django_db
def test_a_revoked_key_is_refused_at_once(claude_members, make_key, call):
    text = make_key(claude_members["owner"])
    assert call("GET", SETTINGS, key=text).status_code == 200
    revoke_api_key(actor=claude_members["primary_owner"].user, key=ApiKey.objects.get())
    assert call("GET", SETTINGS, key=text).status_code == 401


@pytest.mark.django_db
def test_checking_a_key_costs_one_indexed_lookup(claude_members, make_key, call, django_assert_num_queries):
    text = make_key(claude_members["owner"], READ)
    with django_assert_num_queries(2):  # the lookup, and the first use written down
        assert call("GET", SETTINGS, key=text).status_code == 200
    with django_assert_num_queries(1) as captured:  # the lookup alone while the last use is fresh
        assert call("GET", SETTINGS, key=text).json()["thumbs_feedback_enabled"] is True
    assert "api_apikey" in captured.captured_queries[0]["sql"] and "digest" in captured.captured_queries[0]["sql"]
    with django_assert_num_queries(0):  # a mistyped key never reaches the database
        assert call("GET", SETTINGS, key=text[:-1] + ("A" if text[-1] != "A" else "B")).status_code == 401


@pytest.mark.django_db
def test_the_last_use_is_noted_with_its_address(claude_members, make_key, call):
    text = make_key(claude_members["owner"])
    assert ApiKey.objects.get().last_used_at is None
    call("GET", SETTINGS, key=text, REMOTE_ADDR="198.51.100.7")
    used = ApiKey.objects.get()
    assert used.last_used_ip == "198.51.100.7"
    assert timezone.now() - used.last_used_at < timedelta(minutes=1)
    call("GET", SETTINGS, key=text, REMOTE_ADDR="198.51.100.8")
    assert ApiKey.objects.get().last_used_ip == "198.51.100.8"


@pytest.mark.django_db
def test_a_key_is_never_logged(claude_members, make_key, call, caplog):
    text = make_key(claude_members["owner"], READ)
    with caplog.at_level(logging.DEBUG):
        call("GET", SETTINGS, key=text)
        call("PATCH", SETTINGS, key=text, body="{}")  # refused: read only
        call("GET", SETTINGS, key=text[:-2] + "zz")
        call("GET", SETTINGS, key=text, bearer=True)
    logged = "\n".join(f"{record.getMessage()} {record.args}" for record in caplog.records)
    assert caplog.records and text not in logged and text[:-2] not in logged


@pytest.mark.django_db
def test_each_key_is_rate_limited_with_retry_after(claude_members, make_key, call, settings):
    settings.API_KEY_RATE_LIMIT_PER_MINUTE = 3
    first, second = make_key(claude_members["owner"]), make_key(claude_members["primary_owner"])
    assert [call("GET", SETTINGS, key=first).status_code for _ in range(4)] == [200, 200, 200, 429]
    refused = call("GET", SETTINGS, key=first)
    assert refused.json()["error"] == "rate_limited"
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert call("GET", SETTINGS, key=second).status_code == 200


@pytest.mark.django_db
def test_a_key_acts_only_while_its_maker_manages_keys(claude_members, make_key, call):
    owner = claude_members["owner"]
    text = make_key(owner)
    org_services.change_member_role(actor=claude_members["primary_owner"].user, membership=owner, role="admin")
    response = call("GET", SETTINGS, key=text)
    assert response.json() == {"error": "key_creator", "detail": ERR_KEY_CREATOR}
    assert response.status_code == 403


@pytest.mark.django_db
def test_a_keys_change_names_the_key_as_the_actor(claude_members, make_key, call):
    text = make_key(claude_members["owner"])
    response = call("PATCH", SETTINGS, key=text, body=json.dumps({"thumbs_feedback_enabled": False}),
                    REMOTE_ADDR="198.51.100.9", HTTP_USER_AGENT="siem-sync/1.0")
    assert response.json()["thumbs_feedback_enabled"] is False
    event = AuditEvent.objects.get(action="settings.thumbs_feedback.changed")
    key = ApiKey.objects.get()
    # The key is the actor; the decider who made it, whose rights it used, is kept beside it.
    assert (event.actor_kind, event.actor) == ("api_key", claude_members["owner"].user)
    assert event.actor_label == f"API key “{key.name} ({key.masked})”"
    assert (event.old_value, event.new_value, event.ip_address, event.user_agent) == (True, False, "198.51.100.9", "siem-sync/1.0")


@pytest.mark.django_db
def test_keys_cannot_make_keys_nor_open_the_pages(claude_members, make_key, call, client):
    text = make_key(claude_members["primary_owner"])
    assert call("POST", "/api/v1/orgs/claude-ent/api-keys", key=text, body="{}").status_code == 404
    page = client.post("/orgs/claude-ent/settings/api-keys/", {"name": "x", "access": "write"}, headers={"x-api-key": text})
    assert page.status_code == 302 and "/accounts/login/" in page["Location"]
    transfer = client.post(f"/orgs/claude-ent/settings/members/{claude_members['owner'].pk}/transfer/",
                           {"confirmed": "yes"}, headers={"x-api-key": text})
    assert transfer.status_code == 302 and "/accounts/login/" in transfer["Location"]
    assert ApiKey.objects.count() == 1


@pytest.mark.postgres
@pytest.mark.django_db
def test_the_key_lookup_walks_the_digests_unique_index(claude_members, make_key):
    make_key(claude_members["owner"])
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # a tiny table would be read whole; ask what the index allows
        cursor.execute("EXPLAIN " + KEY_CHECK_SQL, [keys.key_digest(keys.new_key())])
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "api_apikey_digest" in plan and "Index" in plan, plan
