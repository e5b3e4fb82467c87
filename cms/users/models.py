from django.contrib.auth.models import AbstractUser


# The plugin cannot build the reverse managers of wagtail's untyped AbstractImage and
# AbstractDocument subclasses (CustomImage/CustomDocument.uploaded_by_user).
class User(AbstractUser):  # type: ignore[django-manager-missing]
    """The project's user, swappable from the first migration so fields can be added later
    (station membership, producing unit) without a painful auth migration."""
