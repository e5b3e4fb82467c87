"""Two-factor enrolment invitations: a user without a device may set one up only with one.

A password alone must not be enough to attach an authenticator to an account (whoever has
the password would then own the second factor too). An administrator issues an invitation
(``manage.py invite_two_factor USER``, also printed by ``reset_two_factor``) and hands its
code to the person by another channel; it is bound to that user, used once, and expires
after ``INVITATION_VALIDITY``. Only the SHA-256 of the code is stored.
"""

from __future__ import annotations

import datetime
import hashlib
import secrets
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

INVITATION_VALIDITY = datetime.timedelta(hours=72)


def _hash(code: str) -> str:
    return hashlib.sha256(code.encode("utf-8")).hexdigest()


class TwoFactorInvitation(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("người dùng"),
    )
    code_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_by = models.CharField(_("người cấp"), max_length=150, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(_("hết hạn lúc"))
    used_at = models.DateTimeField(_("dùng lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("lời mời thiết lập xác thực hai bước")
        verbose_name_plural = _("lời mời thiết lập xác thực hai bước")

    def __str__(self) -> str:
        return f"{self.user} ({self.expires_at:%Y-%m-%d %H:%M})"

    @classmethod
    def issue(cls, user: Any, created_by: str = "") -> str:
        """A new invitation for the user (earlier unused ones stop working); returns its code."""
        now = timezone.now()
        cls.objects.filter(user=user, used_at__isnull=True).update(expires_at=now)
        code = secrets.token_urlsafe(24)
        cls.objects.create(
            user=user,
            code_hash=_hash(code),
            created_by=created_by,
            expires_at=now + INVITATION_VALIDITY,
        )
        return code

    @classmethod
    def valid(cls) -> models.QuerySet[TwoFactorInvitation]:
        return cls.objects.filter(used_at__isnull=True, expires_at__gt=timezone.now())

    @classmethod
    def find(cls, user: Any, code: str) -> TwoFactorInvitation | None:
        code = code.strip()
        if not code or len(code) > 100 or not user.is_authenticated:
            return None
        return cls.valid().filter(user=user, code_hash=_hash(code)).first()
