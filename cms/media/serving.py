"""The one policy for stored media at ``/media/``, the same in development and production.

Served to anyone: the finished renditions of a master or image that a live, public page uses
(no view restriction, access level public), and Wagtail's image renditions of such an image
(except its full-size ``original`` copy). Served also to a signed-in admin user who may work
on the source (previews of drafts, the renditions page). Never served, to anybody: masters
(``masters/``), original images (``original_images/``), documents (``/documents/<id>/`` has
its own checks), packages, exports and anything else in the storage.

Every ``/media/`` request goes through :func:`media_file`, which decides and then hands the
bytes over the way the deployment serves files (``cms.media.file_responses``): behind
nginx an ``X-Accel-Redirect`` to the ``internal`` location ``/_protected/``; on S3 storage a
redirect to a short-lived presigned URL; otherwise the app streams the file itself with
Range support (development, tests). nginx has no location that reads the media directory
for a public URL. See docs/media.md ("Serving media").
"""

from __future__ import annotations

import hashlib
import posixpath
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.files.storage import default_storage
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_safe

from cms.media.file_responses import stored_file_response
from cms.media.models import CustomImage, CustomImageRendition, MediaMaster, MediaRendition
from cms.media.storage import STORAGE_ERRORS

#: Where Wagtail and the pipeline put what may be served; everything else is never served.
SERVABLE_PREFIXES = ("renditions/", "images/")


def _no_public_use(source: MediaMaster | CustomImage) -> bool:
    return False


#: Whether a public page uses a master or an image. The media app knows no page type: the
#: content app installs its check (``cms.content.visibility.used_by_public_page``) when it
#: is ready (``install_public_use``). Until then nothing counts as public (fails closed).
_public_use: Callable[[MediaMaster | CustomImage], bool] = _no_public_use


def install_public_use(check: Callable[[MediaMaster | CustomImage], bool]) -> None:
    global _public_use
    _public_use = check


def master_is_public(master_id: int) -> bool:
    """A public page (in any language) plays this master (``cms.content.visibility``)."""
    return _public_use(MediaMaster(pk=master_id))


def image_is_public(image_id: int) -> bool:
    """A public page shows this image: an exhibition's photo, a video's poster."""
    return _public_use(CustomImage(pk=image_id))


def staff_may_preview_master(user: Any, master: MediaMaster) -> bool:
    """Admin users who work on masters hear renditions of drafts (previews, renditions page)."""
    return bool(
        user.is_authenticated
        and user.has_perm("wagtailadmin.access_admin")
        and user.has_perm("media.change_mediamaster")
    )


def staff_may_preview_image(user: Any, image: CustomImage) -> bool:
    """Wagtail's own rule for images (collection permissions): who may choose or change it."""
    if not (user.is_authenticated and user.has_perm("wagtailadmin.access_admin")):
        return False
    from wagtail.images.permissions import permission_policy

    return bool(
        permission_policy.user_has_any_permission_for_instance(user, ["change", "choose"], image)
    )


def may_play(request: HttpRequest, master: MediaMaster | None) -> bool:
    """Whether this request may get ``master``'s renditions (the public page's player)."""
    if master is None:
        return False
    return master_is_public(master.pk) or staff_may_preview_master(request.user, master)


def media_url(name: str) -> str:
    """The URL of a stored file at ``/media/`` (whatever the storage: the view decides)."""
    return reverse("media_file", kwargs={"path": name})


@dataclass
class Decision:
    public: bool  # anyone may get it (else: only this signed-in user)
    sha256: str
    size: int | None


def _name_sha(name: str) -> str:
    """A strong validator for a file without a recorded SHA-256: stored names are never
    reused or overwritten, so the name stands for its bytes."""
    return hashlib.sha256(name.encode("utf-8")).hexdigest()


def _pipeline_rows(name: str) -> list[MediaRendition]:
    """Finished pipeline renditions whose main file or extra file (poster) is ``name``."""
    done = MediaRendition.objects.filter(status="done").select_related("master", "image")
    rows = list(done.filter(file=name))
    if rows:
        return rows
    # An extra file (the web video's poster) lives in its source's folder:
    # renditions/<language>/<master id>/… or renditions/images/<image id>/…
    parts = name.split("/")
    if len(parts) < 4 or not parts[2].isdigit():
        return []
    folder = Q(image_id=int(parts[2])) if parts[1] == "images" else Q(master_id=int(parts[2]))
    keys = {
        row.key
        for row in MediaRendition.objects.filter(folder, status="done")
        if name in (row.extra_files or {}).values()
    }
    return list(done.filter(key__in=keys)) if keys else []


def decide(request: HttpRequest, name: str) -> Decision | None:
    """Whether this request may get the stored file ``name``; None means 404."""
    if not name.startswith(SERVABLE_PREFIXES):
        return None
    if name.startswith("renditions/"):
        rows = _pipeline_rows(name)
        main = next((row for row in rows if row.file.name == name), None)
        sha256 = main.sha256 if main and main.sha256 else _name_sha(name)
        size = main.size if main and main.size else None
        if any(
            (row.master_id and master_is_public(row.master_id))
            or (row.image_id and image_is_public(row.image_id))
            for row in rows
        ):
            return Decision(True, sha256, size)
        if any(
            (row.master is not None and staff_may_preview_master(request.user, row.master))
            or (row.image is not None and staff_may_preview_image(request.user, row.image))
            for row in rows
        ):
            return Decision(False, sha256, size)
        return None
    rendition = CustomImageRendition.objects.filter(file=name).select_related("image").first()
    if rendition is None:
        return None
    if rendition.filter_spec != "original" and image_is_public(rendition.image_id):
        return Decision(True, _name_sha(name), None)
    if staff_may_preview_image(request.user, rendition.image):
        return Decision(False, _name_sha(name), None)
    return None


def _local_size(name: str) -> int:
    """The size of a file on local storage (0 on an object store: it is not needed there, the
    client is redirected to the store)."""
    try:
        path = default_storage.path(name)
    except NotImplementedError:
        return 0
    return int(default_storage.size(name)) if path else 0


@require_safe
def media_file(request: HttpRequest, path: str) -> HttpResponseBase:
    """``/media/<path>``: the stored file if the policy above allows it, else 404."""
    name = posixpath.normpath(path)
    if name != path or name.startswith(("/", "..")) or "\\" in name or "\x00" in name:
        raise Http404
    decision = decide(request, name)
    if decision is None:
        raise Http404
    size = decision.size
    try:
        if size is None:
            size = _local_size(name)
        response = stored_file_response(
            request, name, sha256=decision.sha256, size=size, filename=posixpath.basename(name)
        )
    except FileNotFoundError:
        raise Http404 from None
    except STORAGE_ERRORS:
        response = HttpResponse(status=503)
        response["Retry-After"] = "30"
        return response
    if response.status_code != 302:
        disposition = content_disposition_header(False, posixpath.basename(name))
        if disposition is not None:  # None only for an empty name, refused above
            response["Content-Disposition"] = disposition
        response["Cache-Control"] = (
            "public, max-age=300" if decision.public else "private, no-cache"
        )
    patch_vary_headers(response, ["Cookie"])
    return response
