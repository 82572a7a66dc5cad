import pytest

from tests.factories import UserFactory


@pytest.mark.django_db
def test_me_answers_the_signed_in_email(client):
    client.force_login(UserFactory(email="me@example.test"))
    assert client.get("/api/v1/me").json() == {"email": "me@example.test"}


@pytest.mark.django_db
def test_me_is_401_json_when_signed_out(client):
    response = client.get("/api/v1/me")
    assert (response.status_code, response.json()["error"]) == (401, "not_authenticated")
