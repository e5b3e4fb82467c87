"""Smaller security findings of issue 13 (finding 11): the on-demand 500 and station-token
throttling behind a shared address. Production settings: tests/cms/test_settings.py; the
two-factor enrolment invitation: tests/cms/test_two_factor.py."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", ["reporter", "administrator", "superuser"])
def test_no_staff_member_can_trigger_a_server_error(home: Any, make_user: Any, role: str) -> None:
    if role == "superuser":
        user = make_user("sieu-quan-tri", is_superuser=True, is_staff=True)
    else:
        user = make_user(f"nguoi-{role}", role=role)
    client = Client(raise_request_exception=False)
    client.force_login(user)
    for method in (client.get, client.post):
        response = method("/admin/failwhale/")
        assert response.status_code == 404, (role, response.status_code)


API = "/api/stations/v1"


@pytest.fixture
def station_tokens(make_station_user: Any) -> dict[str, str]:
    from django.core.cache import cache

    from cms.stations import tokens

    cache.clear()
    a = make_station_user("tram-a", "Đài xã A").station_membership.station
    b = make_station_user("tram-b", "Đài xã B").station_membership.station
    return {"a": tokens.issue(a).secret, "b": tokens.issue(b).secret}


def poll(client: Client, token: str, address: str = "100.64.0.1") -> Any:
    return client.get(f"{API}/packages", HTTP_AUTHORIZATION=f"Bearer {token}", REMOTE_ADDR=address)


def test_bad_tokens_behind_a_shared_address_do_not_lock_out_valid_stations(
    station_tokens: dict[str, str], client: Client
) -> None:
    """Carrier NAT: one broken device's 20 bad tokens, then the other stations poll."""
    from cms.stations.models import AuditLog

    limit = 20
    for n in range(limit):
        guess = f"st_{'abcdefghij'[n % 10] * 10}_{n}"
        assert poll(client, guess).status_code == 401, n
    for _ in range(3):
        response = poll(client, "st_zzzzzzzzzz_more-guessing")
        assert response.status_code == 429
        assert response.json() == {"error": "too_many_attempts"}
        assert response["Retry-After"] == "600"
    # valid tokens from the same address authenticate
    for station in ("a", "b"):
        assert poll(client, station_tokens[station]).status_code == 200, station
    # and guessing from there is still refused
    assert poll(client, "st_yyyyyyyyyy_guess").status_code == 429
    assert AuditLog.objects.filter(action="auth_failed").count() == limit


def test_guessing_one_tokens_secret_is_stopped_from_any_address(
    station_tokens: dict[str, str], client: Client
) -> None:
    """The per-prefix count: wrong secrets for station A's prefix from many addresses."""
    prefix = station_tokens["a"].split("_")[1]
    for n in range(20):
        response = poll(client, f"st_{prefix}_wrong-secret-{n}", address=f"10.1.0.{n + 1}")
        assert response.status_code == 401, n
    blocked = poll(client, f"st_{prefix}_wrong-secret-x", address="10.2.0.1")
    assert blocked.status_code == 429
    # other stations are not affected
    assert poll(client, station_tokens["b"], address="10.2.0.1").status_code == 200
