from django.apps import AppConfig


class IngestConfig(AppConfig):
    name = "cms.ingest"
    label = "ingest"
    verbose_name = "Nhập tư liệu số hóa"
    default_auto_field = "django.db.models.BigAutoField"
