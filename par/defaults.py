"""The default criteria for the communication criterion (công tác thông
tin, tuyên truyền CCHC), an example each province adapts: in admin, or by
exporting it to XLSX, editing and importing it again. Its shape follows the
PAR Index sets of the Ministry of Home Affairs: the communication criterion
sits in the first area (chỉ đạo, điều hành CCHC) and is split into
component criteria the portal can score from its own records."""

from __future__ import annotations

from .models import Level

# The tags of the default criteria, one per component criterion so that a
# file proves what it shows: code -> name. DEFAULT_TAG (1.4.2, the tasks
# carried out) is the one a plan carries, so its tasks' reports prove it.
DEFAULT_TAG = ("tuyen-truyen-cchc", "Thực hiện nhiệm vụ tuyên truyền CCHC")
TAGS = {
    "tt-ke-hoach": "Kế hoạch tuyên truyền CCHC",
    DEFAULT_TAG[0]: DEFAULT_TAG[1],
    "tt-bao-cao": "Báo cáo công tác tuyên truyền CCHC",
    "tt-hinh-thuc": "Hình thức tuyên truyền (ảnh, tài liệu)",
    "tt-tin-bai": "Tin, bài trên cổng/trang thông tin điện tử",
    "tt-sang-kien": "Cách làm mới, sáng kiến tuyên truyền",
}

TITLES: dict[str, str] = {
    Level.DEPARTMENT: "Bộ tiêu chí đánh giá công tác tuyên truyền CCHC của sở, ban, ngành",
    Level.COMMUNE: "Bộ tiêu chí đánh giá công tác tuyên truyền CCHC của UBND cấp xã",
    Level.DISTRICT: "Bộ tiêu chí đánh giá công tác tuyên truyền CCHC của UBND cấp huyện",
}

# (code, title, max score, measure, counter code, thresholds, guidance, tag code)
CRITERIA = [
    ("1", "Công tác chỉ đạo, điều hành cải cách hành chính", "3.5", "manual", "", "", "", ""),
    ("1.4", "Thực hiện công tác thông tin, tuyên truyền cải cách hành chính", "3.5", "manual", "", "", "", ""),
    ("1.4.1", "Ban hành kế hoạch tuyên truyền CCHC năm đúng hạn", "0.5", "plan_on_time", "", "100: 0,5",
     "Kế hoạch ban hành trước hạn được giao: 0,5 điểm; trễ hạn hoặc không ban hành: 0 điểm. "
     "Tài liệu kiểm chứng: kế hoạch đã ban hành.", "tt-ke-hoach"),
    ("1.4.2", "Mức độ hoàn thành nhiệm vụ tuyên truyền CCHC theo kế hoạch", "1", "tasks_done", "",
     "100: 1; 80: 0,5",
     "Hoàn thành 100% nhiệm vụ được giao chủ trì: 1 điểm; từ 80% đến dưới 100%: 0,5 điểm; dưới 80%: 0 điểm. "
     "Tính theo báo cáo đã được cơ quan Nội vụ tiếp nhận.", DEFAULT_TAG[0]),
    ("1.4.3", "Báo cáo định kỳ công tác tuyên truyền CCHC đầy đủ, đúng hạn", "0.5", "reports_on_time", "",
     "100: 0,5; 80: 0,25",
     "100% báo cáo nộp đúng hạn: 0,5 điểm; từ 80%: 0,25 điểm; dưới 80%: 0 điểm.", "tt-bao-cao"),
    ("1.4.4", "Đa dạng hình thức tuyên truyền CCHC", "0.5", "channels_used", "", "4: 0,5; 2: 0,25",
     "Thực hiện từ 4 hình thức trở lên: 0,5 điểm; 2 hoặc 3 hình thức: 0,25 điểm; dưới 2: 0 điểm.", "tt-hinh-thuc"),
    ("1.4.5", "Đăng tải tin, bài về CCHC trên cổng/trang thông tin điện tử", "0.5", "counter_total", "tin_bai_cong",
     "12: 0,5; 6: 0,25",
     "Từ 12 tin, bài trong năm trở lên: 0,5 điểm; từ 6 tin, bài: 0,25 điểm; dưới 6: 0 điểm.", "tt-tin-bai"),
    ("1.4.6", "Có cách làm mới, sáng tạo trong tuyên truyền CCHC", "0.5", "manual", "", "",
     "Đơn vị tự chấm và gửi kèm tài liệu kiểm chứng (mô hình, sáng kiến được công nhận): tối đa 0,5 điểm.", "tt-sang-kien"),
]
