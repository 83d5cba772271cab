import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/", "/admin/login/", "/admin/studio/"])
def test_a_forged_session_cookie_with_a_nul_byte_is_ignored_not_a_500(client, catalog_world, path):
    # given a session cookie that PostgreSQL could not even look up
    # when any page is requested with it
    response = client.get(path, HTTP_COOKIE="sessionid=forged\x00key")
    # then the visitor is simply anonymous
    assert response.status_code in (200, 302)
