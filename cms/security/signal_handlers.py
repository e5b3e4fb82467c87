"""Signal handlers, connected on import from ``SecurityConfig.ready``."""

from __future__ import annotations

from typing import Any

import django_otp
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest


@receiver(user_logged_in)
def mark_session_verified(
    sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any
) -> None:
    """A login that passed the second factor (``two_factor.TwoFactorLoginForm`` kept the
    device on the request) marks the session as verified by that device."""
    device = getattr(request, "_cms_otp_device", None) if request is not None else None
    if device is not None and device.user_id == user.pk:
        django_otp.login(request, device)
