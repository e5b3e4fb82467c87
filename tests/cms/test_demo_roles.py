"""The demo users get their editorial roles from the editorial app (issue 17 §4)."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from cms.content import demo
from cms.editorial.roles import ROLES


@pytest.mark.django_db
def test_each_demo_user_is_in_its_roles_group_once(settings, tmp_path) -> None:
    settings.VAR_DIR = tmp_path
    users = demo.ensure_users()
    demo.ensure_users()  # again: idempotent
    for username in ("admin", "phongvien", "bientap", "lanhdao", "biendich"):
        user = get_user_model().objects.get(username=username)
        assert list(user.groups.values_list("name", flat=True)) == [ROLES[users[username]]]
