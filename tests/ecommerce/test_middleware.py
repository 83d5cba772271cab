import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path, status", [("/", 200), ("/admin/login/", 200), ("/admin/studio/", 302)])
def test_a_forged_session_cookie_with_a_nul_byte_is_ignored_not_a_500(client, catalog_world, path, status):
    # given a session cookie that PostgreSQL could not even look up
    # when any page is requested with it
    response = client.get(path, HTTP_COOKIE="sessionid=forged\x00key; theme=dark")
    # then the cookie never reached the session lookup, the other cookie did, and the visitor is anonymous
    assert response.status_code == status
    assert "sessionid" not in response.wsgi_request.COOKIES
    assert response.wsgi_request.COOKIES.get("theme") == "dark"
    assert not response.wsgi_request.user.is_authenticated
    if status == 302:
        assert response["Location"] == "/admin/login/?next=/admin/studio/"
