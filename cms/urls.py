from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from cms.content import views as content_views
from cms.editorial.scope import guard_admin_urls
from cms.feeds import urls as feed_urls
from cms.i18n import han_page_font
from cms.media import serving as media_serving
from cms.sharing import views as sharing_views
from cms.sharing.robots import robots_txt

# Wagtail's /admin/failwhale/ raises an exception for any staff member (a 500 on demand):
# not served at all (404 for everyone).
# The page chooser's views that take page ids follow the unit scope (cms/editorial/scope.py).
ADMIN_URLS = guard_admin_urls(
    [
        pattern
        for pattern in wagtailadmin_urls.urlpatterns
        if getattr(pattern, "name", None) != "wagtailadmin_error_test"
    ]
)

urlpatterns = [
    path("admin/", include(ADMIN_URLS)),
    path("documents/", include(wagtaildocs_urls)),
    path("healthz", content_views.health, name="health"),
    path("subtitles/<int:document_id>.vtt", content_views.subtitles_vtt, name="subtitles_vtt"),
    path("share/<str:key>.jpg", sharing_views.share_card, name="share_card"),
    path(
        "fonts/han/<str:version>/<str:token>.woff2",
        han_page_font.serve,
        name="han_page_font",
    ),
    path("sitemap.xml", sharing_views.sitemap, name="sitemap"),
    path("robots.txt", robots_txt, name="robots_txt"),
    path("", include("cms.stations.urls")),
    path("", include("cms.archive.urls")),
    path("", include(feed_urls.urlpatterns)),
]

# Stored media, in every setting through one view that applies one policy (public renditions
# of live public pages; masters never): cms/media/serving.py, docs/media.md.
urlpatterns += [
    path(
        f"{settings.MEDIA_URL.strip('/')}/<path:path>", media_serving.media_file, name="media_file"
    )
]

urlpatterns += i18n_patterns(
    path("search/", include("cms.search.urls")),
    # Podcast feeds per language and section (docs/feeds.md).
    path("", include(feed_urls.i18n_urlpatterns)),
    # The language switcher's target when an item has no version in that language.
    path("khong-co/", content_views.not_available, name="not_available"),
    path("", include(wagtail_urls)),
    prefix_default_language=True,
)

handler400 = "cms.operations.views.bad_request"
handler500 = "cms.operations.views.server_error"
