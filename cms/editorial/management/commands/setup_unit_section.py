from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from wagtail.models import Locale, Page

from cms.editorial.units import setup_unit_section
from cms.taxonomy.models import ProducingUnit


class Command(BaseCommand):
    help = "Give a producing unit its own section and unit-scoped reporter/editor groups."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("unit_code", help="ProducingUnit code, e.g. so-tu-phap")
        parser.add_argument("--parent", type=int, help="parent page id (default: site home)")

    def handle(self, *args: Any, **options: Any) -> None:
        vi = Locale.get_default()
        unit = ProducingUnit.objects.filter(code=options["unit_code"], locale=vi).first()
        if unit is None:
            raise CommandError(f"Không có đơn vị mã {options['unit_code']!r}.")
        if options["parent"]:
            parent = Page.objects.get(pk=options["parent"]).specific
        else:
            from cms.content.models import HomePage

            parent = HomePage.objects.filter(locale=vi).first()
            if parent is None:
                raise CommandError("Chưa có trang chủ; chạy load_demo hoặc tạo trang chủ trước.")
        result = setup_unit_section(unit, parent)
        self.stdout.write(f"Section: {result.section.url_path} (id {result.section.pk})")
        for group in result.groups.values():
            self.stdout.write(f"Group: {group.name}")
