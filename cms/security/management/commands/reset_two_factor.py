"""Removes a user's authenticator devices (a lost or replaced phone) and issues the
invitation they need to set up the new one."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_otp.plugins.otp_totp.models import TOTPDevice

from cms.security.management.commands.invite_two_factor import print_invitation


class Command(BaseCommand):
    help = (
        "Remove a user's two-factor devices and issue a one-time invitation (72 h) to set up "
        "a new one."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        user = get_user_model().objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"No user named {options['username']!r}.")
        count, _details = TOTPDevice.objects.filter(user=user).delete()
        self.stdout.write(f"Removed {count} device(s) of {user.username}.")
        print_invitation(self, user, created_by="manage.py reset_two_factor")
