"""Signal handlers, wired in ``MediaConfig.ready``."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models.signals import post_save
from django.dispatch import receiver

from cms.media.models import CustomImage, MediaMaster


@receiver(post_save, sender=MediaMaster)
def schedule_new_master_renditions(
    sender: type, instance: MediaMaster, created: bool, **kwargs: Any
) -> None:
    """Every new master gets its renditions, made in the background after commit."""
    if created and instance.kind and settings.CMS_MEDIA.get("AUTO_RENDER", True):
        from cms.media.renditions import schedule_renditions

        schedule_renditions(instance)


@receiver(post_save, sender=CustomImage)
def schedule_new_image_renditions(
    sender: type, instance: CustomImage, created: bool, **kwargs: Any
) -> None:
    """Every new image (photo, poster, exhibition item) gets its web, board and print
    renditions in the background after commit."""
    if created and instance.file and settings.CMS_MEDIA.get("AUTO_RENDER", True):
        from cms.media.renditions import schedule_image_renditions

        schedule_image_renditions(instance)
