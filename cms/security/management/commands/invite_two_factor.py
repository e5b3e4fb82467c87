"""Issues a one-time invitation to set up two-factor sign-in (valid 72 hours)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.urls import reverse

from cms.security.models import INVITATION_VALIDITY, TwoFactorInvitation


def print_invitation(command: BaseCommand, user: Any, created_by: str) -> None:
    code = TwoFactorInvitation.issue(user, created_by=created_by)
    hours = int(INVITATION_VALIDITY.total_seconds() // 3600)
    command.stdout.write(
        f"Invitation for {user.get_username()} (one use, valid {hours} h): {code}\n"
        f"Give it to the person by another channel than their password; after signing in "
        f"they open {reverse('security_two_factor')}?invitation={code}"
    )


class Command(BaseCommand):
    help = "Issue a one-time invitation (72 h) for a user to set up their authenticator app."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        user = get_user_model().objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"No user named {options['username']!r}.")
        print_invitation(self, user, created_by="manage.py invite_two_factor")
