"""The stations' choices: the kinds of station (a radio, a loudspeaker cluster, a board,
an information point), their screen profiles and the actions of their audit log."""

from __future__ import annotations

import re

from django.db import models
from django.utils.translation import gettext_lazy as _


class StationKind(models.TextChoices):
    PROVINCIAL_RADIO = "provincial_radio", _("Đài phát thanh tỉnh")
    DISTRICT_RADIO = "district_radio", _("Đài truyền thanh cấp huyện (cũ)")
    COMMUNE_RADIO = "commune_radio", _("Đài truyền thanh cấp xã / cụm loa")
    DIGITAL_BOARD = "digital_board", _("Bảng tin điện tử")
    INFORMATION_POINT = "information_point", _("Điểm thông tin cơ sở")


RADIO_KINDS = {StationKind.PROVINCIAL_RADIO, StationKind.DISTRICT_RADIO, StationKind.COMMUNE_RADIO}
BOARD_PROFILE_RE = re.compile(
    r"^(board_landscape|board_portrait|board_native_(\d{2,5})x(\d{2,5}))$"
)


class AuditAction(models.TextChoices):
    DOWNLOAD_BAG = "download_bag", _("Tải gói")
    DOWNLOAD_FILE = "download_file", _("Tải tệp")
    MANIFEST = "manifest", _("Xem danh mục")
    CONFIRM_RECEIPT = "confirm_receipt", _("Xác nhận đã nhận")
    RECEIPT_MISMATCH = "receipt_mismatch", _("Mã kiểm tra không khớp")
    CONFIRM_AIRING = "confirm_airing", _("Xác nhận đã phát")
    TOKEN_CREATED = "token_created", _("Tạo khóa")
    TOKEN_REVOKED = "token_revoked", _("Thu hồi khóa")
    AUTH_FAILED = "auth_failed", _("Khóa không hợp lệ")
