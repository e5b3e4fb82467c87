from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from wagtail.admin.views.reports import ReportView

from cms.editorial.translations import outdated_translations


class OutdatedTranslationsView(ReportView):
    """Translations whose source page was published again after they were made."""

    page_title = _("Bản dịch lỗi thời")
    header_icon = "warning"
    template_name = "editorial/outdated_translations.html"
    results_template_name = "editorial/outdated_translations_results.html"
    index_url_name = "outdated_translations"
    index_results_url_name = "outdated_translations"

    def get_queryset(self) -> Any:
        return outdated_translations()
