"""Two-factor sign-in for the admin with time-based one-time codes (django-otp's TOTP).

Any admin user may add an authenticator app under "Xác thực hai bước" in their account menu,
with a one-time invitation from an administrator (cms/security/models.py: a password alone
does not attach a device); from then on the admin login asks for its six-digit code as well
as the password. With
``CMS_2FA_REQUIRED`` on (the production default) nobody reaches the admin without one: a user
who has none is sent to set it up right after logging in. django-otp throttles wrong codes
per device; django-axes throttles wrong passwords.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import qrcode
import qrcode.image.svg
from django import forms
from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice
from wagtail.admin.forms.auth import LoginForm

DEVICE_NAME = "authenticator"
# What a signed-in user without a second factor may still open when one is required.
SETUP_URL_NAMES = {
    "security_two_factor",
    "wagtailadmin_logout",
    "wagtailadmin_login",
    "wagtailadmin_javascript_catalog",
    "wagtailadmin_sprite",
}


def confirmed_device(user: Any) -> TOTPDevice | None:
    if not user.is_authenticated:
        return None
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).first()


class TwoFactorLoginForm(LoginForm):
    """Wagtail's login form with a code field, required once the user has a device."""

    otp_token = forms.CharField(
        label=_("Mã xác thực (6 chữ số trong ứng dụng xác thực)"),
        required=False,
        max_length=12,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean()
        user = self.get_user()
        device = confirmed_device(user) if user is not None else None
        if device is None:
            return cleaned
        token = "".join(str(cleaned.get("otp_token") or "").split())
        if not token:
            raise forms.ValidationError(
                _("Tài khoản này dùng xác thực hai bước: hãy nhập mã trong ứng dụng xác thực."),
                code="otp_required",
            )
        if not device.verify_is_allowed()[0] or not device.verify_token(token):
            raise forms.ValidationError(
                _("Mã xác thực không đúng hoặc đã hết hạn. Hãy nhập mã mới nhất."),
                code="otp_invalid",
            )
        if self.request is not None:
            setattr(self.request, "_cms_otp_device", device)  # noqa: B010
        return cleaned


def can_use_admin(user: Any) -> bool:
    return bool(user.is_superuser or user.has_perm("wagtailadmin.access_admin"))


class RequireTwoFactorMiddleware:
    """With ``CMS_2FA_REQUIRED``, admin pages need a session verified by a second factor."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if getattr(settings, "CMS_2FA_REQUIRED", False) and self.must_verify(request):
            if confirmed_device(request.user) is None:
                return redirect(reverse("security_two_factor"))
            # A session from before the device existed: log in again, with the code.
            logout(request)
            return redirect(f"{reverse('wagtailadmin_login')}?next={request.path}")
        return self.get_response(request)

    def must_verify(self, request: HttpRequest) -> bool:
        user = request.user
        if not request.path_info.startswith("/admin/") or not user.is_authenticated:
            return False
        # OTPMiddleware gives the user ``is_verified``.
        if getattr(user, "is_verified")() or not can_use_admin(user):  # noqa: B009
            return False
        try:
            name = resolve(request.path_info).url_name
        except Resolver404:
            return False
        return name not in SETUP_URL_NAMES


def qr_svg(text: str) -> str:
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buffer = io.BytesIO()
    image.save(buffer)
    return buffer.getvalue().decode("utf-8")
