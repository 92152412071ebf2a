"""Default reference lists (CCHC areas, channels). They are data: admins edit
them in Django admin. Filled by migration 0002 and again, if missing, by
load_demo, which needs the codes its seed files use."""

AREAS = [
    ("the-che", "Cải cách thể chế"),
    ("tthc", "Cải cách thủ tục hành chính"),
    ("bo-may", "Cải cách tổ chức bộ máy hành chính nhà nước"),
    ("cong-vu", "Cải cách chế độ công vụ, công chức"),
    ("tai-chinh-cong", "Cải cách tài chính công"),
    ("chinh-quyen-so", "Xây dựng, phát triển Chính phủ điện tử, Chính phủ số (chính quyền số)"),
    ("chi-dao-dieu-hanh", "Công tác chỉ đạo, điều hành CCHC"),
]

CHANNELS = [
    ("cong-ttdt", "Cổng/Trang thông tin điện tử", "Tin, bài, chuyên mục trên cổng/trang thông tin điện tử của cơ quan."),
    ("phat-thanh", "Phát thanh, truyền thanh", "Tin, bài, chương trình trên đài phát thanh, truyền thanh cơ sở."),
    ("bao-chi", "Báo chí", "Cung cấp thông tin, đăng tin bài trên báo in, báo điện tử, truyền hình."),
    ("hoi-nghi", "Hội nghị, lớp tập huấn", "Hội nghị, lớp tập huấn, bồi dưỡng; lồng ghép trong giao ban, họp cơ quan."),
    ("truc-quan", "Tuyên truyền trực quan", "Pano, áp phích, khẩu hiệu, băng rôn, bảng tin, màn hình điện tử."),
    ("niem-yet", "Niêm yết thủ tục hành chính", "Niêm yết công khai TTHC và địa chỉ tiếp nhận phản ánh, kiến nghị."),
    ("chuyen-muc", "Chuyên mục cải cách hành chính", "Chuyên mục, phóng sự định kỳ về CCHC."),
    ("mang-xa-hoi", "Mạng xã hội", "Bài đăng trên trang, nhóm mạng xã hội của cơ quan."),
    ("cuoc-thi", "Cuộc thi tìm hiểu", "Cuộc thi tìm hiểu về CCHC."),
    ("doi-thoai", "Đối thoại, tọa đàm", "Đối thoại, tọa đàm, diễn đàn với người dân, doanh nghiệp."),
    ("khac", "Hình thức khác", "Các hình thức tuyên truyền khác phù hợp với đơn vị."),
]


# Counters per channel: what a report line on that channel counts.
COUNTERS = {
    "cong-ttdt": [("tin_bai", "Tin, bài")],
    "phat-thanh": [("buoi_phat", "Buổi/lượt phát thanh")],
    "bao-chi": [("tin_bai", "Tin, bài")],
    "hoi-nghi": [("hoi_nghi", "Hội nghị, lớp tập huấn"), ("luot_nguoi", "Lượt người tham dự")],
    "truc-quan": [("pano", "Pano, áp phích, băng rôn")],
    "niem-yet": [("tthc_niem_yet", "Thủ tục hành chính niêm yết")],
    "chuyen-muc": [("chuyen_muc", "Chuyên mục, phóng sự")],
    "mang-xa-hoi": [("bai_dang", "Bài đăng"), ("luot_tiep_can", "Lượt tiếp cận")],
    "cuoc-thi": [("cuoc_thi", "Cuộc thi"), ("nguoi_du_thi", "Người dự thi")],
    "doi-thoai": [("doi_thoai", "Buổi đối thoại, tọa đàm"), ("luot_nguoi", "Lượt người tham dự")],
    "khac": [("hoat_dong", "Hoạt động")],
}


def reference_lists_ensure(area_model, channel_model) -> None:
    """Create the default rows that are missing; never touch edited ones.
    Takes the model classes so a migration can pass its historical models."""
    for position, (code, name) in enumerate(AREAS, start=1):
        area_model.objects.get_or_create(code=code, defaults={"name": name, "position": position})
    for position, (code, name, description) in enumerate(CHANNELS, start=1):
        channel, _ = channel_model.objects.get_or_create(
            code=code, defaults={"name": name, "description": description, "position": position}
        )
        if hasattr(channel, "counters") and not channel.counters:
            channel.counters = [{"code": c, "label": label} for c, label in COUNTERS.get(code, [])]
            channel.save(update_fields=["counters"])
