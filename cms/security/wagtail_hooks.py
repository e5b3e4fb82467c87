from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from cms.security import views


@hooks.register("register_admin_urls")
def register_security_urls() -> list[Any]:
    return [path("2fa/", views.two_factor, name="security_two_factor")]


@hooks.register("register_account_menu_item")
def register_two_factor_menu_item(request: HttpRequest) -> dict[str, Any]:
    return {
        "url": reverse("security_two_factor"),
        "label": _("Xác thực hai bước"),
        "help_text": _("Bảo vệ tài khoản bằng mã 6 chữ số từ ứng dụng trên điện thoại."),
    }
