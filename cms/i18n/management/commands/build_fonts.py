from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from cms.i18n import fonts


class Command(BaseCommand):
    help = "Subset the OS's Noto fonts into per-script WOFF2 files served by the site."
    # The checks would warn that the fonts are not built yet: this command builds them.
    requires_system_checks: list[str] = []

    def handle(self, *args: Any, **options: Any) -> None:
        written = fonts.build(list(settings.FONT_SOURCE_DIRS), settings.FONT_BUILD_DIR)
        if len(written) <= 1:
            raise CommandError(
                "Không tìm thấy phông Noto. Cài gói hệ điều hành fonts-noto-core "
                "(No Noto fonts found: install the OS package fonts-noto-core)."
            )
        for path in written:
            self.stdout.write(f"{path.name}: {path.stat().st_size // 1024} KB")
