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
