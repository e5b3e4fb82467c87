"""Signals of the content app that apps above it answer.

``demo_users_ready``: the demo loader (``cms.content.demo``) has made its users; ``roles``
maps each user to the editorial role code it stands for (``"reporter"``, ``"editor"``…).
The editorial app, which owns the roles and their groups, gives each user its role's group
(``cms.editorial.demo_roles``): content sits below editorial and cannot import its roles.
"""

from __future__ import annotations

from django.dispatch import Signal

demo_users_ready = Signal()
