from django.contrib.auth.models import AbstractUser


class User(AbstractUser):
    """The project's user, swappable from the first migration so fields can be added later
    (station membership, producing unit) without a painful auth migration."""
