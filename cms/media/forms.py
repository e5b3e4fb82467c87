from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import ValidationError
from wagtail.admin.forms import WagtailAdminModelForm

from cms.media.messages import message_for
from cms.media.models import MasterFileImmutable
from cms.media.uploads import (
    CheckedUpload,
    StorageUnavailable,
    apply_checked,
    check_media_upload,
    nfc_name,
    store_master_file,
)

logger = logging.getLogger(__name__)


class MediaMasterForm(WagtailAdminModelForm):
    """Upload form for masters: the file is checked by content before it is saved.

    A new file is stored as the last step of validation, once everything else is valid, so
    a storage failure (the S3 server stopped mid-upload, a full disk) is a form error in
    Vietnamese on the file field, not a server error: no row is written, no rendition is
    scheduled, and the editor can send the same file again. The row is written only after
    its file is in the storage, so no row ever names a missing object.
    """

    checked: CheckedUpload | None = None
    stored_name: str | None = None
    #: what the file may be; the master chooser of an audio field takes audio only
    allowed_kinds: tuple[str, ...] = ("audio", "video")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            # A stored master's file is immutable: the edit form changes metadata only, and
            # a new recording is a new master ("Tải bản ghi mới").
            self.fields.pop("file", None)
        if "file" in self.fields:
            self.fields["file"].error_messages["empty"] = message_for("empty_file")

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean()
        if self.instance.pk is not None and self.files:
            # a file sent anyway (an old form, a hand-made request) is refused, not ignored
            raise ValidationError(
                message_for(MasterFileImmutable.code), code=MasterFileImmutable.code
            )
        return cleaned

    def clean_file(self) -> Any:
        upload = self.cleaned_data.get("file")
        if (
            upload is None
            or not hasattr(upload, "chunks")
            or upload is getattr(self.instance, "file", None)
        ):
            return upload
        if self.instance.pk and self.instance.file and "file" not in self.changed_data:
            return upload
        self.checked = check_media_upload(upload, self.allowed_kinds)
        upload.name = nfc_name(upload.name)
        return upload

    def _post_clean(self) -> None:
        super()._post_clean()
        if self.checked is not None and self.stored_name is None and not self._errors:
            try:
                self.stored_name = store_master_file(self.instance, self.cleaned_data["file"])
            except StorageUnavailable as error:
                self.add_error("file", ValidationError(error.message, code=error.code))

    def save(self, commit: bool = True) -> Any:
        instance = super().save(commit=False)
        if self.checked is not None:
            instance.original_name = nfc_name(self.cleaned_data["file"].name)
            apply_checked(instance, self.checked)
            if self.for_user is not None and not instance.uploaded_by_id:
                instance.uploaded_by = self.for_user
        if commit:
            try:
                instance.save()
            except BaseException:
                self.discard_stored()
                raise
        return instance

    def discard_stored(self) -> None:
        """Remove the file stored during validation when its row could not be written."""
        if self.stored_name:
            try:
                self.instance.file.storage.delete(self.stored_name)
            except Exception:  # best effort: the row's failure is the error to report
                logger.warning("could not remove %s after a failed save", self.stored_name)
