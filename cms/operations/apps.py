from django.apps import AppConfig


class OperationsConfig(AppConfig):
    """Running the site: backups and their restore."""

    name = "cms.operations"
    label = "operations"
    verbose_name = "Vận hành"
