"""Content Security Policy and login throttling, as a browser and an attacker see them."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db


def directives(header: str) -> dict[str, list[str]]:
    policy: dict[str, list[str]] = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            policy[words[0]] = words[1:]
    return policy


def test_public_pages_get_a_strict_script_policy(home: Any, client: Client) -> None:
    response = client.get("/vi/")
    assert response.status_code == 200
    policy = directives(response["Content-Security-Policy"])
    assert "'unsafe-inline'" not in policy["script-src"]
    assert "'unsafe-eval'" not in policy["script-src"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'self'"]
    assert policy["form-action"] == ["'self'"]


def test_a_nonce_is_fresh_for_every_response(home: Any, client: Client) -> None:
    """Pages that use a nonce (the station portal's verify script) get a new one each time."""
    from django.http import HttpResponse
    from django.test import RequestFactory

    from cms.security.middleware import SiteCSPMiddleware

    def view(request: Any) -> HttpResponse:
        return HttpResponse(f"<script nonce='{request.csp_nonce}'></script>")

    middleware = SiteCSPMiddleware(view)
    nonces = []
    for _ in range(2):
        request = RequestFactory().get("/stations/")
        middleware.process_request(request)
        response = middleware.process_response(request, view(request))
        script_src = directives(response["Content-Security-Policy"])["script-src"]
        nonce = [word for word in script_src if word.startswith("'nonce-")]
        assert len(nonce) == 1
        assert nonce[0][len("'nonce-") : -1] in response.content.decode()
        nonces.append(nonce[0])
    assert nonces[0] != nonces[1]


def test_admin_allows_wagtails_inline_scripts_and_nothing_more(
    home: Any, client: Client, admin_user: Any
) -> None:
    client.force_login(admin_user)
    response = client.get(reverse("wagtailadmin_home"))
    assert response.status_code == 200
    policy = directives(response["Content-Security-Policy"])
    assert "'unsafe-inline'" in policy["script-src"]
    assert not any(word.startswith("'nonce-") for word in policy["script-src"])
    assert "'unsafe-eval'" not in policy["script-src"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'self'"]


def test_admin_makes_no_request_to_an_avatar_service(
    home: Any, client: Client, admin_user: Any
) -> None:
    client.force_login(admin_user)
    body = client.get(reverse("wagtailadmin_home")).content.decode()
    assert "gravatar" not in body


def login(client: Client, username: str, password: str) -> Any:
    return client.post(reverse("wagtailadmin_login"), {"username": username, "password": password})


def test_admin_login_is_locked_after_repeated_failures(
    settings: Any, make_user: Any, client: Client
) -> None:
    settings.AXES_FAILURE_LIMIT = 3
    make_user("bientap", role="editor")
    for _ in range(3):
        response = login(client, "bientap", "sai-mat-khau")
        assert response.status_code in (200, 429)
    locked = login(client, "bientap", "pw-12345!")
    assert locked.status_code == 429
    body = locked.content.decode()
    assert "Đăng nhập sai quá nhiều lần" in body
    assert "15 phút" in body
    assert "_auth_user_id" not in client.session

    other = Client(REMOTE_ADDR="192.0.2.5")
    assert login(other, "bientap", "pw-12345!").status_code == 302, (
        "the lock is per user name and address, the right password from elsewhere works"
    )


def test_a_successful_login_resets_the_failure_count(
    settings: Any, make_user: Any, client: Client
) -> None:
    settings.AXES_FAILURE_LIMIT = 3
    make_user("phongvien", role="reporter")
    for _ in range(2):
        assert login(client, "phongvien", "sai").status_code == 200
    assert login(client, "phongvien", "pw-12345!").status_code == 302
    client.logout()
    for _ in range(2):
        assert login(client, "phongvien", "sai").status_code == 200
    assert login(client, "phongvien", "pw-12345!").status_code == 302


def test_station_portal_login_is_throttled_too(
    settings: Any, make_user: Any, client: Client
) -> None:
    settings.AXES_FAILURE_LIMIT = 2
    make_user("tramxa")
    url = reverse("stations:login")
    for _ in range(2):
        client.post(url, {"username": "tramxa", "password": "sai"})
    response = client.post(url, {"username": "tramxa", "password": "pw-12345!"})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_failures_behind_a_trusted_proxy_count_per_real_client(
    settings: Any, make_user: Any
) -> None:
    """Behind nginx every request comes from 127.0.0.1: the forwarded address is what counts."""
    settings.AXES_FAILURE_LIMIT = 2
    settings.CMS_STATIONS = {
        **getattr(settings, "CMS_STATIONS", {}),
        "TRUSTED_PROXIES": ["127.0.0.1"],
    }
    make_user("bientap2", role="editor")
    attacker = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9")
    for _ in range(2):
        login(attacker, "bientap2", "sai")
    assert login(attacker, "bientap2", "pw-12345!").status_code == 429
    colleague = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert login(colleague, "bientap2", "pw-12345!").status_code == 302
