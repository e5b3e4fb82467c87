"""Vietnamese messages for the media pipeline's stable error codes (media_pipeline.errors)."""

from django.utils.translation import gettext_lazy as _

PIPELINE_MESSAGES = {
    "not_found": _("Không tìm thấy tệp."),
    "empty_file": _("Tệp rỗng (0 byte). Hãy chọn lại tệp đúng."),
    "not_media": _(
        "Tệp này không phải âm thanh, video hay hình ảnh "
        "(nội dung tệp không khớp với phần mở rộng)."
    ),
    "unreadable": _("Không đọc được tệp: tệp bị hỏng hoặc định dạng không được hỗ trợ."),
    "truncated": _("Tệp bị cắt cụt giữa chừng, không đọc được đầy đủ. Hãy tải lên bản hoàn chỉnh."),
    "no_audio": _("Tệp không có kênh âm thanh nên không tạo được bản dựng âm thanh."),
    "no_video": _("Tệp không có hình nên không tạo được bản dựng video."),
    "too_long": _("Thời lượng vượt quá giới hạn cho phép."),
    "too_many_pixels": _("Kích thước hình ảnh/khung hình vượt quá giới hạn cho phép."),
    "decompression_bomb": _(
        "Ảnh khai báo kích thước quá lớn (có thể là tệp độc hại) nên bị từ chối."
    ),
    "invalid_profile": _("Cấu hình bản dựng không hợp lệ."),
    "invalid_argument": _("Thiếu hoặc sai tham số xử lý."),
    "ffmpeg_failed": _("Bộ chuyển mã (ffmpeg) báo lỗi khi xử lý tệp."),
    "ffmpeg_missing": _("Máy chủ chưa cài ffmpeg."),
    "timeout": _("Xử lý quá thời gian cho phép; hệ thống sẽ thử lại."),
    "cancelled": _("Đã hủy theo yêu cầu."),
    "io_error": _("Lỗi đọc/ghi tệp trên máy chủ (có thể đầy ổ đĩa); hệ thống sẽ thử lại."),
    "disk_full": _(
        "Ổ đĩa của máy chủ đã đầy nên chưa làm được bản dựng; không có tệp dở dang nào được "
        "lưu và bản gốc vẫn nguyên vẹn. Hệ thống sẽ tự thử lại; nếu vẫn lỗi, hãy báo quản trị "
        "viên giải phóng dung lượng rồi bấm Thử lại."
    ),
    "too_large": _("Tệp vượt quá dung lượng tải lên tối đa."),
    "wrong_kind": _("Loại tệp không phù hợp với trường này."),
    # Not pipeline codes: the storage (disk or S3 server) would not take an upload, or would
    # not give a master back to the rendition worker.
    "storage_unavailable": _(
        "Không lưu được tệp vào kho lưu trữ (máy chủ lưu trữ không phản hồi hoặc báo lỗi). "
        "Chưa có gì được lưu; hãy tải tệp lên lại sau ít phút."
    ),
    "source_unavailable": _(
        "Không đọc được tệp gốc từ kho lưu trữ (máy chủ lưu trữ không phản hồi); "
        "hệ thống sẽ thử lại."
    ),
    # Not a pipeline code: set by requeue_stale() when workers keep dying on a job.
    "worker_lost": _(
        "Máy xử lý dừng đột ngột nhiều lần khi đang làm bản dựng này. "
        "Hãy bấm Thử lại; nếu vẫn lỗi, báo quản trị viên."
    ),
    # Not pipeline codes: the integrity rules of masters and finished renditions.
    "master_file_immutable": _(
        "Không thể thay tệp của tư liệu gốc đã lưu: tệp gốc không bao giờ bị sửa. Một bản ghi "
        "mới là một tư liệu gốc mới (nút «Tải bản ghi mới»), đưa lên trang qua một phiên bản "
        "được duyệt."
    ),
    "rendition_final": _(
        "Bản dựng đã hoàn tất và tệp của nó vẫn còn: bản đang phát không bao giờ bị thay bằng "
        "nội dung khác. Muốn dựng lại, hãy tải bản ghi mới."
    ),
}


def message_for(code: str) -> str:
    return str(PIPELINE_MESSAGES.get(code, _("Lỗi xử lý tệp (mã: %(code)s).") % {"code": code}))
