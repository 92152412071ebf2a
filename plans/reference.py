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


# What reports count, each thing on its own so figures add up like for like:
# (code, label, unit, kind, channel codes). "stock" figures are what exists
# at the end of a period (not summed over periods).
COUNTERS = [
    ("tin_bai_cong", "Tin, bài trên cổng/trang thông tin điện tử", "tin, bài", "flow", ["cong-ttdt"]),
    ("tin_bai_bao", "Tin, bài trên báo, tạp chí, truyền hình", "tin, bài", "flow", ["bao-chi"]),
    ("phong_su", "Phóng sự", "phóng sự", "flow", ["bao-chi", "phat-thanh", "chuyen-muc"]),
    ("chuyen_muc", "Chuyên mục CCHC đang duy trì", "chuyên mục", "stock", ["chuyen-muc", "phat-thanh", "bao-chi"]),
    ("buoi_phat", "Buổi, lượt phát thanh", "lượt", "flow", ["phat-thanh"]),
    ("xe_co_dong", "Xuất xe cổ động, xe loa", "lượt xe", "flow", ["truc-quan"]),
    ("bang_ron", "Băng rôn", "cái", "flow", ["truc-quan"]),
    ("phuon", "Phướn", "cái", "flow", ["truc-quan"]),
    ("pano", "Pano", "cái", "flow", ["truc-quan"]),
    ("ap_phich", "Áp phích", "cái", "flow", ["truc-quan"]),
    ("bang_dien_tu", "Lần thay đổi nội dung bảng, cổng chào điện tử", "lần", "flow", ["truc-quan"]),
    ("to_roi", "Tờ rơi, tài liệu phát hành", "tờ, cuốn", "flow", ["truc-quan", "khac"]),
    ("hoi_nghi", "Hội nghị, lớp tập huấn", "buổi", "flow", ["hoi-nghi"]),
    ("luot_nguoi", "Lượt người tham dự", "lượt người", "flow", ["hoi-nghi", "doi-thoai"]),
    ("tthc_niem_yet", "Thủ tục hành chính niêm yết", "thủ tục", "stock", ["niem-yet"]),
    ("cuoc_thi", "Cuộc thi", "cuộc", "flow", ["cuoc-thi"]),
    ("nguoi_du_thi", "Lượt người tham gia dự thi", "lượt người", "flow", ["cuoc-thi"]),
    ("bai_dang", "Bài đăng mạng xã hội", "bài", "flow", ["mang-xa-hoi"]),
    ("luot_tiep_can", "Lượt tiếp cận trên mạng xã hội", "lượt", "flow", ["mang-xa-hoi"]),
    ("doi_thoai", "Buổi đối thoại, tọa đàm", "buổi", "flow", ["doi-thoai"]),
    ("hoat_dong", "Hoạt động khác", "hoạt động", "flow", ["khac"]),
]


def counters_ensure(counter_model, channel_model) -> None:
    """Create the default counters that are missing (and their channels);
    never touch edited ones. Takes model classes, for migrations."""
    channels = {c.code: c for c in channel_model.objects.all()}
    for position, (code, label, unit, kind, channel_codes) in enumerate(COUNTERS, start=1):
        counter, created = counter_model.objects.get_or_create(
            code=code, defaults={"label": label, "unit": unit, "kind": kind, "position": position}
        )
        if created:
            counter.channels.set(channels[c] for c in channel_codes if c in channels)


def reference_lists_ensure(area_model, channel_model) -> None:
    """Create the default rows that are missing; never touch edited ones.
    Takes the model classes so a migration can pass its historical models."""
    for position, (code, name) in enumerate(AREAS, start=1):
        area_model.objects.get_or_create(code=code, defaults={"name": name, "position": position})
    for position, (code, name, description) in enumerate(CHANNELS, start=1):
        channel_model.objects.get_or_create(
            code=code, defaults={"name": name, "description": description, "position": position}
        )
    # The counters too, once the model that has them exists (not in the
    # early migrations that also call this).
    try:
        counter_model = channel_model._meta.get_field("counter_set").related_model
    except Exception:  # FieldDoesNotExist in a historical model
        return
    counters_ensure(counter_model, channel_model)
