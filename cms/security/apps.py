from django.apps import AppConfig


class SecurityConfig(AppConfig):
    """Content Security Policy, login throttling and two-factor sign-in for the whole site."""

    name = "cms.security"
    label = "security"
    verbose_name = "Bảo mật"

    def ready(self) -> None:
        from cms.security import signal_handlers  # noqa: F401 - connects the receivers
