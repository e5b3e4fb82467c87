"""Two-factor sign-in for the admin: setting it up, logging in with it, requiring it."""

from __future__ import annotations

import re
import time
from base64 import b32decode
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

pytestmark = pytest.mark.django_db

PASSWORD = "pw-12345!"


def code_for(key: bytes, offset: int = 0) -> str:
    """What an authenticator app shows now for this key (RFC 6238, 30 s, 6 digits)."""
    return f"{totp(key, t0=0, step=30, digits=6, drift=offset):06d}"


def login(client: Client, username: str, token: str = "") -> Any:
    data = {"username": username, "password": PASSWORD}
    if token:
        data["otp_token"] = token
    return client.post(reverse("wagtailadmin_login"), data)


def invite(username: str) -> str:
    """The one-time code an administrator hands over (manage.py invite_two_factor)."""
    out = StringIO()
    call_command("invite_two_factor", username, stdout=out)
    found = re.search(r"\?invitation=(\S+)", out.getvalue())
    assert found, out.getvalue()
    return found.group(1)


def enrol(client: Client, username: str = "bientap") -> bytes:
    """Set up an authenticator the way a person does: type the administrator's invitation,
    read the key off the page, type a code."""
    accepted = client.post(reverse("security_two_factor"), {"invitation": invite(username)})
    assert accepted.status_code == 302
    page = client.get(reverse("security_two_factor"))
    assert page.status_code == 200
    body = page.content.decode()
    assert "<svg" in body, "a QR code to scan"
    secret = re.search(r"<code data-secret>([A-Z2-7 ]+)</code>", body)
    assert secret, "the secret key to type in by hand"
    text = secret.group(1).replace(" ", "")
    key = b32decode(text + "=" * (-len(text) % 8))
    response = client.post(reverse("security_two_factor"), {"otp_token": code_for(key)})
    assert response.status_code == 302
    return key


@pytest.fixture
def editor(home: Any, make_user: Any) -> Any:
    return make_user("bientap", role="editor")


def test_login_form_offers_a_code_field(home: Any, client: Client) -> None:
    body = client.get(reverse("wagtailadmin_login")).content.decode()
    assert 'name="otp_token"' in body
    assert 'autocomplete="one-time-code"' in body


def test_without_a_device_the_password_is_enough(editor: Any, client: Client) -> None:
    assert login(client, "bientap").status_code == 302
    assert client.get(reverse("wagtailadmin_home")).status_code == 200


def test_enrolled_user_needs_the_code_to_log_in(editor: Any, client: Client) -> None:
    login(client, "bientap")
    key = enrol(client)
    device = TOTPDevice.objects.get(user=editor)
    assert device.confirmed
    client.logout()

    without = Client()
    response = login(without, "bientap")
    assert response.status_code == 200
    assert "xác thực hai bước" in response.content.decode()
    assert "_auth_user_id" not in without.session

    wrong = Client()
    bad = f"{(int(code_for(key)) + 1) % 1_000_000:06d}"
    response = login(wrong, "bientap", bad)
    assert response.status_code == 200
    assert "Mã xác thực không đúng" in response.content.decode()
    assert "_auth_user_id" not in wrong.session

    right = Client()
    time.sleep(1.1)  # django-otp refuses any code for 1 s after a wrong one (doubling after)
    # The code used at enrolment cannot be replayed; the app's next code works.
    response = login(right, "bientap", code_for(key, offset=1))
    assert response.status_code == 302, response.content.decode()[:2000]
    assert right.get(reverse("wagtailadmin_home")).status_code == 200


def test_a_wrong_code_during_setup_enables_nothing(editor: Any, client: Client) -> None:
    login(client, "bientap")
    client.post(reverse("security_two_factor"), {"invitation": invite("bientap")})
    client.get(reverse("security_two_factor"))
    response = client.post(reverse("security_two_factor"), {"otp_token": "000000"})
    assert response.status_code == 200
    assert "Mã xác thực không đúng" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=editor, confirmed=True).exists()


def test_required_mode_sends_users_without_a_device_to_setup(
    settings: Any, editor: Any, client: Client
) -> None:
    settings.CMS_2FA_REQUIRED = True
    assert login(client, "bientap").status_code == 302
    for url in (reverse("wagtailadmin_home"), reverse("wagtailadmin_explore_root")):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"] == reverse("security_two_factor")
    enrol(client)
    assert client.get(reverse("wagtailadmin_home")).status_code == 200


def test_required_mode_logs_out_sessions_not_verified_by_a_code(
    settings: Any, editor: Any, client: Client
) -> None:
    login(client, "bientap")
    enrol(client)
    settings.CMS_2FA_REQUIRED = True
    stale = Client()
    stale.force_login(editor)  # a session that never passed the code check
    response = stale.get(reverse("wagtailadmin_home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("wagtailadmin_login"))
    assert "_auth_user_id" not in stale.session


def test_turning_it_off_needs_a_current_code(editor: Any, client: Client) -> None:
    login(client, "bientap")
    key = enrol(client)
    response = client.post(reverse("security_two_factor"), {"otp_token": "123"})
    assert TOTPDevice.objects.filter(user=editor).exists()
    time.sleep(1.1)  # the wrong code above throttles the device for a second
    response = client.post(reverse("security_two_factor"), {"otp_token": code_for(key, 1)})
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=editor).exists()


def test_an_administrator_can_reset_a_lost_phone(editor: Any, client: Client) -> None:
    login(client, "bientap")
    enrol(client)
    out = StringIO()
    call_command("reset_two_factor", "bientap", stdout=out)
    assert "Removed 1" in out.getvalue()
    assert login(Client(), "bientap").status_code == 302
    # the printed invitation lets the person set up the new phone, once
    code = re.search(r"\?invitation=(\S+)", out.getvalue())
    assert code
    phone = Client()
    login(phone, "bientap")
    assert (
        phone.post(reverse("security_two_factor"), {"invitation": code.group(1)}).status_code == 302
    )
    assert "data-secret" in phone.get(reverse("security_two_factor")).content.decode()


def setup_page(client: Client, **data: str) -> str:
    if data:
        response = client.post(reverse("security_two_factor"), data, follow=True)
    else:
        response = client.get(reverse("security_two_factor"))
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("required", [False, True])
def test_a_password_alone_cannot_enrol_a_device(
    settings: Any, editor: Any, make_user: Any, client: Client, required: bool
) -> None:
    """Whoever has only the password must not attach their own authenticator."""
    settings.CMS_2FA_REQUIRED = required
    make_user("nguoikhac", role="editor")
    assert login(client, "bientap").status_code == 302
    body = setup_page(client)
    assert "data-invitation-needed" in body
    assert 'class="qr"' not in body and "data-secret" not in body
    # typing codes without an invitation attaches nothing
    for guess in ("000000", "123456"):
        assert "data-invitation-needed" in setup_page(client, otp_token=guess)
    # a made-up code, another user's, an expired or a superseded invitation are refused
    from datetime import timedelta

    from cms.security.models import TwoFactorInvitation

    expired = invite("bientap")
    TwoFactorInvitation.objects.filter(user=editor).update(expires_at=timezone.now() - timedelta(1))
    superseded = invite("bientap")
    invite("bientap")
    for code in ("đoán-bừa", invite("nguoikhac"), expired, superseded):
        body = setup_page(client, invitation=code)
        assert "Mã mời không đúng" in body, code
        assert "data-secret" not in body
    assert not TOTPDevice.objects.filter(user=editor).exists()
    if required:
        assert client.get(reverse("wagtailadmin_home"))["Location"] == reverse(
            "security_two_factor"
        )


def test_an_invitation_enrols_one_device_once(editor: Any, client: Client) -> None:
    login(client, "bientap")
    code = invite("bientap")
    client.post(reverse("security_two_factor"), {"invitation": code})
    body = setup_page(client)
    secret = re.search(r"<code data-secret>([A-Z2-7 ]+)</code>", body)
    assert secret
    text = secret.group(1).replace(" ", "")
    key = b32decode(text + "=" * (-len(text) % 8))
    assert (
        client.post(reverse("security_two_factor"), {"otp_token": code_for(key)}).status_code == 302
    )
    assert TOTPDevice.objects.get(user=editor).confirmed
    # the phone is lost and the devices removed without a new invitation: the old one is spent
    TOTPDevice.objects.filter(user=editor).delete()
    other = Client()
    login(other, "bientap")
    body = setup_page(other, invitation=code)
    assert "Mã mời không đúng" in body and "data-secret" not in body
