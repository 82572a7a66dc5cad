"""E-mail addresses: one normal form everywhere, look-alikes refused for new identities, stored collisions reported."""

import importlib

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command

from console import addresses
from console.addresses import (
    ERR_EMAIL_DOMAIN_LOOKALIKE,
    ERR_EMAIL_DOMAIN_MIXED,
    ERR_EMAIL_INVALID,
    ERR_EMAIL_LOCAL_PART,
    ERR_EMAIL_TOO_LONG,
    AddressCollision,
    normalize_email,
    why_new_email_refused,
)
from console.models import User
from identity.models import Invitation
from tests.factories import InvitationFactory, OrganizationFactory, UserFactory


@pytest.mark.parametrize(
    ("typed", "normal"),
    [
        ("Owner@ACME.test", "owner@acme.test"),
        ("  owner@acme.test\u00a0", "owner@acme.test"),
        ("ｏｗｎｅｒ@ａｃｍｅ.test", "owner@acme.test"),  # full-width: NFKC
        ("\u212aate@acme.test", "kate@acme.test"),  # Kelvin sign: NFKC, then case folded
        ("ſam@acme.test", "sam@acme.test"),  # long s: case folded
        ("STRASSE@acme.test", "strasse@acme.test"),
        ("owner＠acme.test", "owner@acme.test"),  # full-width @
        ("owner@acme。test", "owner@acme.test"),  # the ideographic full stop separates labels (IDNA)
        ("owner@BÜCHER.example", "owner@bücher.example"),
        ("owner@xn--bcher-kva.example", "owner@bücher.example"),  # A-labels are stored as the domain reads
        ("admın@acme.test", "admın@acme.test"),  # a dotless ı is not an i: no account of "admin" is reached
    ],
)
def test_every_spelling_of_an_address_has_one_normal_form(typed, normal):
    assert normalize_email(typed) == normal
    assert normalize_email(normal) == normal


@pytest.mark.parametrize("text", ["", "no at sign", "a@b@c", "@", "\x00@x.test", "x@" + "y" * 300, "x@a..b", "\ud800@x.test"])
def test_the_normal_form_is_total(text):
    assert isinstance(normalize_email(text), str)


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("owner@acme.test", None),
        ("First.Last+tag@sub.acme.test", None),
        ("owner@bücher.example", None),
        ("owner@пример.рф", None),  # one script, not a look-alike of an ASCII name
        ("owner@例え.jp", None),  # Han with Hiragana: one of UTS #39's highly restrictive sets
        ("admın@acme.test", ERR_EMAIL_LOCAL_PART),  # dotless ı
        ("ſam@acme.test", ERR_EMAIL_LOCAL_PART),  # long s
        ("\u212aate@acme.test", ERR_EMAIL_LOCAL_PART),  # Kelvin sign
        ("ｏwner@acme.test", ERR_EMAIL_LOCAL_PART),  # full-width
        ("оwner@acme.test", ERR_EMAIL_LOCAL_PART),  # Cyrillic о
        ("ow\u200bner@acme.test", ERR_EMAIL_LOCAL_PART),  # zero-width space
        ("josé@acme.test", ERR_EMAIL_LOCAL_PART),  # our mail cannot reach a non-ASCII local part
        ("owner@acme.tıst", ERR_EMAIL_DOMAIN_LOOKALIKE),
        ("owner@acme.teſt", ERR_EMAIL_DOMAIN_LOOKALIKE),
        ("owner@ａcme.test", ERR_EMAIL_DOMAIN_LOOKALIKE),
        ("owner@acme\u200b.test", ERR_EMAIL_DOMAIN_LOOKALIKE),  # UTS #46 would drop it: another spelling
        ("owner@acme。test", ERR_EMAIL_DOMAIN_LOOKALIKE),
        ("owner@асе.test", ERR_EMAIL_DOMAIN_LOOKALIKE),  # all-Cyrillic, reads "ace"
        ("owner@аcme.test", ERR_EMAIL_DOMAIN_MIXED),  # Cyrillic а among Latin letters
        ("owner@xn--pple-43d.com", ERR_EMAIL_DOMAIN_MIXED),  # the A-label of a Cyrillic-Latin mix
        ("owner@οο.gr", ERR_EMAIL_DOMAIN_LOOKALIKE),  # Greek omicrons read "oo"
        ("not an address", ERR_EMAIL_INVALID),
        ("owner@acme", ERR_EMAIL_INVALID),
        ("owner@exa_mple.test", ERR_EMAIL_INVALID),
        ("owner@-acme.test", ERR_EMAIL_INVALID),
        ("x" * 250 + "@acme.test", ERR_EMAIL_TOO_LONG),
    ],
)
def test_an_address_for_a_new_identity_is_refused_when_it_is_a_look_alike(address, reason):
    assert why_new_email_refused(address) == reason


@pytest.mark.django_db
def test_accounts_are_stored_and_found_in_the_normal_form(password):
    user = User.objects.create_user("Owner@ACME.test", password)
    assert user.email == "owner@acme.test"
    assert User.objects.get_by_natural_key("OWNER@acme.TEST") == user
    assert User.objects.get_by_natural_key("ｏｗｎｅｒ@acme.test") == user
    with pytest.raises(User.DoesNotExist):
        User.objects.get_by_natural_key("ownеr@acme.test")  # Cyrillic е: another address
    with pytest.raises(addresses.ValidationError):
        User.objects.create_user("admın@acme.test", password)


@pytest.mark.django_db
def test_createsuperuser_refuses_a_spelling_of_an_existing_account_and_a_look_alike(monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "a-long-pass-phrase")
    call_command("createsuperuser", "--noinput", email="Root@ACME.test", verbosity=0)
    assert User.objects.get(is_superuser=True).email == "root@acme.test"
    with pytest.raises(CommandError, match="already taken"):
        call_command("createsuperuser", "--noinput", email="ROOT@acme.test", verbosity=0)
    # Django's own check lets a dotless ı through (its pattern matches case-insensitively): ours refuses it.
    with pytest.raises(CommandError, match="look-alikes"):
        call_command("createsuperuser", "--noinput", email="rıot@acme.test", verbosity=0)
    assert User.objects.count() == 1


def _migration(app, name):
    return importlib.import_module(f"{app}.migrations.{name}")


class _AppsAsOrgsSawThem:
    """The app registry as orgs.0008 used it: its orgs.Invitation is today's identity.Invitation (same table, moved by orgs.0010)."""

    def get_model(self, app_label, model_name):
        if (app_label, model_name.lower()) == ("orgs", "invitation"):
            return Invitation
        return apps.get_model(app_label, model_name)


def _store_as_typed(model, pk, email):
    """Write an address as older code stored it (lower-cased by Python, or not at all), past save()."""
    model.objects.filter(pk=pk).update(email=email)


@pytest.mark.django_db
def test_the_migration_stores_accounts_in_the_normal_form():
    user = UserFactory()
    _store_as_typed(User, user.pk, "Kate@XN--BCHER-KVA.example")
    _migration("console", "0003_normalise_user_emails").normalise_user_emails(apps, None)
    user.refresh_from_db()
    assert user.email == "kate@bücher.example"


@pytest.mark.django_db
def test_the_migration_refuses_to_merge_two_accounts_that_are_one_address():
    first, second, other = UserFactory(), UserFactory(), UserFactory(email="other@acme.test")
    _store_as_typed(User, first.pk, "Kate@acme.test")
    _store_as_typed(User, second.pk, "ｋａｔｅ@acme.test")
    _store_as_typed(User, other.pk, "Other@acme.test")
    with pytest.raises(AddressCollision) as refused:
        _migration("console", "0003_normalise_user_emails").normalise_user_emails(apps, None)
    message = str(refused.value)
    assert f"kate@acme.test: #{first.pk} 'Kate@acme.test', #{second.pk} 'ｋａｔｅ@acme.test'" in message
    assert "Nothing was changed" in message and "run migrate again" in message
    # Nothing changed, not even the account that had no twin.
    assert User.objects.get(pk=other.pk).email == "Other@acme.test"


@pytest.mark.django_db
def test_the_invitation_migration_refuses_two_open_invitations_to_one_person_in_one_organization():
    org, elsewhere = OrganizationFactory(), OrganizationFactory()
    first = InvitationFactory(organization=org, email="kate@acme.test")
    second = InvitationFactory(organization=org, email="second@acme.test")
    closed = InvitationFactory(organization=org, email="closed@acme.test", revoked_at="2026-01-01T00:00:00Z")
    abroad = InvitationFactory(organization=elsewhere, email="abroad@acme.test")
    # Invitations were stored lower-cased (a check constraint): look-alikes that lower() kept.
    _store_as_typed(Invitation, second.pk, "ｋａｔｅ@acme.test")
    _store_as_typed(Invitation, closed.pk, "kate@acme。test")
    _store_as_typed(Invitation, abroad.pk, "Kate@acme.test".lower())
    migration = _migration("orgs", "0008_normalise_invitation_emails")
    with pytest.raises(AddressCollision, match=rf"kate@acme.test: #{first.pk} 'kate@acme.test', #{second.pk} 'ｋａｔｅ@acme.test'"):
        migration.normalise_invitation_emails(_AppsAsOrgsSawThem(), None)
    # Revoking one lets it through; closed ones and other organizations' may share an address.
    Invitation.objects.filter(pk=second.pk).update(revoked_at="2026-01-02T00:00:00Z")
    migration.normalise_invitation_emails(_AppsAsOrgsSawThem(), None)
    assert set(Invitation.objects.values_list("email", flat=True)) == {"kate@acme.test"}
