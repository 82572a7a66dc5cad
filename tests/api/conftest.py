"""Organization keys made through the service, as the API keys page makes them, and a client that sends them."""

from datetime import timedelta

import pytest
from django.utils import timezone

from api.models import ApiKey
from api.services import create_api_key

WRITE = ("read", "write")
READ = ("read",)


@pytest.fixture
def make_key():
    """make_key(membership, scopes=WRITE, **fields) → the key's text; `fields` are set on the stored key afterwards."""

    def _make(membership, scopes=WRITE, **fields):
        key, text = create_api_key(
            actor=membership.user, organization=membership.organization, name=f"key of {membership.user.email}",
            scopes=list(scopes),
        )
        if fields:
            ApiKey.objects.filter(pk=key.pk).update(**fields)
        return text

    return _make


@pytest.fixture
def expired_fields():
    return {"expires_at": timezone.now() - timedelta(seconds=1)}


@pytest.fixture
def call(client):
    """call(method, path, key=None, body=None, bearer=False) → the response, the key in x-api-key (or as a bearer token)."""

    def _call(method, path, key=None, body=None, bearer=False, **extra):
        headers = {}
        if key is not None:
            headers = {"Authorization": f"Bearer {key}"} if bearer else {"x-api-key": key}
        kwargs = {"content_type": "application/json", "data": body} if body is not None else {}
        return getattr(client, method.lower())(path, headers=headers, **kwargs, **extra)

    return _call
