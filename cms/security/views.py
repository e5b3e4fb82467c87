"""The admin page where a user sets up (with an administrator's invitation), or turns off,
their authenticator app."""

from __future__ import annotations

import django_otp
from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from cms.security.models import TwoFactorInvitation
from cms.security.two_factor import DEVICE_NAME, confirmed_device, qr_svg

INVITATION_SESSION_KEY = "cms_2fa_invitation"


def _session_invitation(request: HttpRequest) -> TwoFactorInvitation | None:
    """The invitation this session accepted, while it is still valid for this user."""
    pk = request.session.get(INVITATION_SESSION_KEY)
    if pk is None:
        return None
    invitation = TwoFactorInvitation.valid().filter(pk=pk, user=request.user.pk).first()
    if invitation is None:
        request.session.pop(INVITATION_SESSION_KEY, None)
    return invitation


def _token(request: HttpRequest) -> str:
    return "".join(request.POST.get("otp_token", "").split())


def two_factor(request: HttpRequest) -> HttpResponse:
    user = request.user
    device = confirmed_device(user)
    required = getattr(settings, "CMS_2FA_REQUIRED", False)
    if device is not None:
        if request.method == "POST":
            if not getattr(user, "is_verified")():  # noqa: B009 - set by OTPMiddleware
                messages.error(request, _("Hãy đăng nhập lại bằng mã xác thực trước."))
            elif required:
                messages.error(request, _("Hệ thống này bắt buộc xác thực hai bước."))
            elif device.verify_is_allowed()[0] and device.verify_token(_token(request)):
                TOTPDevice.objects.filter(user=user).delete()
                messages.success(request, _("Đã tắt xác thực hai bước."))
                return redirect("security_two_factor")
            else:
                messages.error(request, _("Mã xác thực không đúng hoặc đã hết hạn."))
        return render(request, "security/two_factor.html", {"enabled": True, "required": required})

    # No device yet: a password alone does not attach one (cms/security/models.py).
    invitation = _session_invitation(request)
    if invitation is None:
        code = request.POST.get("invitation") or request.GET.get("invitation") or ""
        if code:
            found = TwoFactorInvitation.find(user, code)
            if found is None:
                messages.error(
                    request,
                    _("Mã mời không đúng, đã dùng hoặc đã hết hạn. Hãy xin quản trị viên mã mới."),
                )
            else:
                request.session[INVITATION_SESSION_KEY] = found.pk
                return redirect("security_two_factor")
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        return render(request, "security/two_factor.html", {"enabled": False, "required": required})

    pending = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if pending is None:
        pending = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    if request.method == "POST":
        if pending.verify_is_allowed()[0] and pending.verify_token(_token(request)):
            with transaction.atomic():
                used = (
                    TwoFactorInvitation.valid()
                    .filter(pk=invitation.pk)
                    .update(used_at=timezone.now())
                )
                if not used:  # used or expired meanwhile
                    return redirect("security_two_factor")
                pending.confirmed = True
                pending.save(update_fields=["confirmed"])
            request.session.pop(INVITATION_SESSION_KEY, None)
            django_otp.login(request, pending)
            messages.success(request, _("Đã bật xác thực hai bước cho tài khoản của bạn."))
            return redirect("wagtailadmin_home")
        messages.error(
            request,
            _("Mã xác thực không đúng. Kiểm tra giờ trên điện thoại và nhập mã mới nhất."),
        )
    return render(
        request,
        "security/two_factor.html",
        {
            "enabled": False,
            "invited": True,
            "required": required,
            "qr_svg": qr_svg(pending.config_url),
            "secret": _spaced(pending.bin_key),
        },
    )


def _spaced(key: bytes) -> str:
    from base64 import b32encode

    text = b32encode(key).decode("ascii").rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))
