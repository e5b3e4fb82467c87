from wagtail import hooks

from cms.archive.views import ArchiveViewSet


@hooks.register("register_admin_viewset")
def register_archive_viewset() -> ArchiveViewSet:
    return ArchiveViewSet()
