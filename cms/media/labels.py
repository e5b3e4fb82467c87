"""Vietnamese names of the output profiles, for people (the machine names stay in files,
manifests and URLs): "loudspeaker" is shown as "Loa truyền thanh xã"."""

from __future__ import annotations

import re

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

PROFILE_LABELS = {
    "loudspeaker": gettext_lazy("Loa truyền thanh xã"),
    "broadcast": gettext_lazy("Phát sóng"),
    "web_audio": gettext_lazy("Web (âm thanh)"),
    "waveform": gettext_lazy("Dạng sóng"),
    "board_landscape": gettext_lazy("Bảng điện tử ngang"),
    "board_portrait": gettext_lazy("Bảng điện tử dọc"),
    "web_video": gettext_lazy("Web (video)"),
    "image_web": gettext_lazy("Ảnh cho web"),
    "image_board": gettext_lazy("Ảnh cho bảng điện tử"),
    "image_print": gettext_lazy("Ảnh để in"),
    "social_vertical": gettext_lazy("Video dọc 9:16 cho mạng xã hội"),
    "social_square": gettext_lazy("Video vuông 1:1 cho mạng xã hội"),
    "audiogram": gettext_lazy("Audiogram (video từ âm thanh)"),
}

#: What each version is for, one line (shown under its name).
PROFILE_PURPOSES = {
    "loudspeaker": gettext_lazy("Mono, to đều, cho cụm loa ngoài trời"),
    "broadcast": gettext_lazy("Cho đài phát thanh, chuẩn độ lớn phát sóng"),
    "web_audio": gettext_lazy("Nghe trên trang web và điện thoại"),
    "waveform": gettext_lazy("Hình sóng âm hiển thị cạnh trình phát"),
    "board_landscape": gettext_lazy("Màn hình ngang 1920×1080"),
    "board_portrait": gettext_lazy("Màn hình dọc 1080×1920"),
    "web_video": gettext_lazy("Xem trên trang web"),
    "social_vertical": gettext_lazy(
        "1080×1920, phụ đề trong vùng an toàn; cho Reels, Shorts, TikTok, Zalo"
    ),
    "social_square": gettext_lazy("1080×1080, phụ đề trong vùng an toàn; cho fanpage, Zalo"),
    "audiogram": gettext_lazy("1080×1080, dạng sóng và tiêu đề; chia sẻ chương trình phát thanh"),
}

#: The versions made to be downloaded and posted on a platform by the editor.
DOWNLOADABLE = frozenset({"social_vertical", "social_square", "audiogram"})

_NATIVE_BOARD = re.compile(r"^board_native_(\d+)x(\d+)$")


def profile_label(name: str) -> str:
    """The Vietnamese name of a profile; an unknown one keeps its machine name."""
    if name in PROFILE_LABELS:
        return str(PROFILE_LABELS[name])
    match = _NATIVE_BOARD.match(name)
    if match:
        return _("Bảng điện tử %(width)s×%(height)s") % {
            "width": match.group(1),
            "height": match.group(2),
        }
    return name


def profile_purpose(name: str) -> str:
    return str(PROFILE_PURPOSES.get(name, ""))


def duration(seconds: float | None) -> str:
    """A recording's length as ``m:ss`` (the ``duration`` template filter, the admin lists)."""
    if not seconds:
        return ""
    total = round(seconds)
    return f"{total // 60}:{total % 60:02d}"
