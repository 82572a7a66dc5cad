import pytest
from django.contrib.auth import SESSION_KEY

from tests.factories import UserFactory


@pytest.mark.django_db
def test_sign_in_with_email_and_password_opens_the_org_list(client, password):
    user = UserFactory(email="signin@example.test")
    response = client.post("/accounts/login/", {"username": "signin@example.test", "password": password})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert client.session[SESSION_KEY] == str(user.pk)


@pytest.mark.django_db
def test_wrong_password_shows_an_error_and_does_not_sign_in(client):
    UserFactory(email="signin@example.test")
    response = client.post("/accounts/login/", {"username": "signin@example.test", "password": "wrong"})
    assert response.status_code == 200
    assert "Please enter a correct" in response.content.decode()
    assert SESSION_KEY not in client.session


@pytest.mark.django_db
def test_sign_out_ends_the_session(client):
    client.force_login(UserFactory())
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert SESSION_KEY not in client.session
    assert client.get("/").status_code == 302


@pytest.mark.django_db
def test_login_form_requires_csrf(password):
    from django.test import Client

    UserFactory(email="csrf@example.test")
    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/login/", {"username": "csrf@example.test", "password": password})
    assert response.status_code == 403


@pytest.mark.django_db
def test_signed_out_person_is_sent_to_sign_in(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/accounts/login/")
