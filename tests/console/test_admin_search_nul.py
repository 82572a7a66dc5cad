"""Staff searches that carry a NUL byte (PostgreSQL refuses it in any string) answer 400, never a 500."""

import pytest

from tests.factories import UserFactory

ADMIN_LISTS = [
    "/admin/audit/auditevent/", "/admin/orgs/membership/", "/admin/orgs/organization/",
    "/admin/console/user/", "/admin/feedback/feedback/", "/admin/retention/retentionrun/",
    "/admin/orgs/modeltrainingperiod/",
]


@pytest.mark.django_db
@pytest.mark.parametrize("path", ADMIN_LISTS)
@pytest.mark.parametrize("term", ["\x00", "a@b.test\x00", "acme\x00", "member.\x00"])
def test_an_admin_search_with_a_nul_byte_is_refused_as_unreadable(client, path, term):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    response = client.get(path, {"q": term})
    assert response.status_code == 400
    assert "The query string holds a NUL character" in response.content.decode()
