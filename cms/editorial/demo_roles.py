"""The demo users' editorial roles (``load_demo``): each joins its role's group."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Group

from cms.editorial.roles import ROLES


def grant_demo_roles(sender: Any, roles: dict[Any, str], **kwargs: Any) -> None:
    """``cms.content.signals.demo_users_ready`` receiver: ``roles`` maps a user to a role code."""
    for user, role in roles.items():
        user.groups.add(Group.objects.get(name=ROLES[role]))
