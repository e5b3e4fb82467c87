from __future__ import annotations

from typing import Any

from wagtail.admin.forms import WagtailAdminModelForm

from cms.media.messages import message_for
from cms.media.uploads import CheckedUpload, apply_checked, check_media_upload, nfc_name


class MediaMasterForm(WagtailAdminModelForm):
    """Upload form for masters: the file is checked by content before it is saved."""

    checked: CheckedUpload | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "file" in self.fields:
            self.fields["file"].error_messages["empty"] = message_for("empty_file")

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
        self.checked = check_media_upload(upload)
        upload.name = nfc_name(upload.name)
        return upload

    def save(self, commit: bool = True) -> Any:
        instance = super().save(commit=False)
        if self.checked is not None:
            instance.original_name = nfc_name(self.cleaned_data["file"].name)
            apply_checked(instance, self.checked)
            if self.for_user is not None and not instance.uploaded_by_id:
                instance.uploaded_by = self.for_user
        if commit:
            instance.save()
        return instance
