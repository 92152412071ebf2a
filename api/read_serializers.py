"""What the read endpoints print: stable ids and codes, ISO dates, money as
whole đồng. Help texts are the schema's descriptions (Vietnamese)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from agencies.models import Agency
from plans.models import Clause, Counter, Heading, Plan
from schedule.models import ReportingRule

ID = "Mã (id) ổn định của bản ghi."


@extend_schema_field({"type": "array", "items": {"type": "integer"}})
class IdList(serializers.Field):
    """The ids of related rows (a prefetched manager or list): no query per row."""

    def __init__(self, **kwargs):
        super().__init__(read_only=True, **kwargs)

    def to_representation(self, value) -> list[int]:
        rows = value.all() if hasattr(value, "all") else value
        return sorted(row.pk for row in rows)


class AgencySerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text=ID)
    code = serializers.CharField(help_text="Mã đơn vị, duy nhất (ví dụ HD-BG-NV).")
    name = serializers.CharField(help_text="Tên đầy đủ.")
    short_name = serializers.CharField(help_text="Tên ngắn (có thể trống).")
    kind = serializers.ChoiceField(choices=Agency.Kind.choices, help_text="Loại đơn vị.")
    parent_id = serializers.IntegerField(allow_null=True, help_text="Mã (id) đơn vị cấp trên; null ở gốc cây.")
    is_active = serializers.BooleanField(help_text="false: đơn vị đã sáp nhập hoặc giải thể (giữ để tra cứu).")
    is_home_affairs = serializers.BooleanField(help_text="Cơ quan Nội vụ (xem xét báo cáo của cấp mình).")
    dissolved_on = serializers.DateField(allow_null=True, help_text="Ngày sáp nhập/giải thể.")
    successor_id = serializers.IntegerField(allow_null=True, help_text="Mã (id) đơn vị mà đơn vị này đã sáp nhập vào.")
    # From the rows prefetched by api.read_views (to_attr): no query per unit.
    predecessor_ids = IdList(
        source="predecessor_rows", help_text="Các đơn vị đã sáp nhập vào đơn vị này.")
    children_ids = IdList(
        source="child_rows", help_text="Các đơn vị cấp dưới trực tiếp.")


class AreaSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text=ID)
    code = serializers.CharField(help_text="Mã lĩnh vực CCHC.")
    name = serializers.CharField(help_text="Tên lĩnh vực.")
    position = serializers.IntegerField(help_text="Thứ tự hiển thị.")
    is_active = serializers.BooleanField(help_text="Đang dùng.")


class ChannelSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text=ID)
    code = serializers.CharField(help_text="Mã hình thức tuyên truyền.")
    name = serializers.CharField(help_text="Tên hình thức.")
    description = serializers.CharField(help_text="Mô tả.")
    position = serializers.IntegerField(help_text="Thứ tự hiển thị.")
    is_active = serializers.BooleanField(help_text="Đang dùng.")


class CounterSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text=ID)
    code = serializers.CharField(help_text="Mã chỉ tiêu thống kê (khóa của số liệu trong báo cáo và tổng hợp).")
    label = serializers.CharField(help_text="Tên chỉ tiêu.")
    unit = serializers.CharField(help_text="Đơn vị tính.")
    kind = serializers.ChoiceField(choices=Counter.Kind.choices, help_text="Cách cộng giữa các kỳ.")
    max_value = serializers.IntegerField(help_text="Giá trị tối đa một kỳ.")
    channel_ids = IdList(
        source="channels", help_text="Các hình thức tuyên truyền dùng chỉ tiêu này.")
    position = serializers.IntegerField(help_text="Thứ tự hiển thị.")
    is_active = serializers.BooleanField(help_text="Đang dùng.")


class PlanSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text=ID)
    reference = serializers.CharField(help_text="Số, ký hiệu như in (ví dụ 255/KH-UBND; dự thảo chưa có số).")
    number = serializers.IntegerField(allow_null=True, help_text="Số văn bản.")
    symbol = serializers.CharField(help_text="Ký hiệu văn bản.")
    issue_date = serializers.DateField(allow_null=True, help_text="Ngày ban hành.")
    title = serializers.CharField(help_text="Trích yếu.")
    kind = serializers.ChoiceField(choices=Plan.Kind.choices, help_text="Loại kế hoạch.")
    status = serializers.ChoiceField(choices=Plan.Status.choices, help_text="Trạng thái.")
    issuer_id = serializers.IntegerField(help_text="Mã (id) cơ quan ban hành.")
    issuer_code = serializers.CharField(source="issuer.code", help_text="Mã cơ quan ban hành.")
    year_start = serializers.IntegerField(help_text="Từ năm.")
    year_end = serializers.IntegerField(help_text="Đến năm.")
    budget_total = serializers.IntegerField(allow_null=True, help_text="Tổng kinh phí (đồng, số nguyên).")
    amends_id = serializers.IntegerField(allow_null=True, help_text="Mã (id) kế hoạch được sửa đổi.")
    version = serializers.IntegerField(help_text="Phiên bản của kế hoạch.")
    published = serializers.BooleanField(help_text="Cơ quan ban hành cho công khai trên trang công khai (khi đã ban hành).")
    created_at = serializers.DateTimeField(help_text="Thời điểm tạo.")
    updated_at = serializers.DateTimeField(help_text="Thời điểm cập nhật gần nhất.")


class HeadingSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text=ID)
    parent_id = serializers.IntegerField(allow_null=True, help_text="Đề mục cha; null: phần lớn (I, II…).")
    position = serializers.IntegerField(help_text="Thứ tự.")
    marker_text = serializers.CharField(help_text="Số thứ tự như viết (I., 1.).")
    text = serializers.CharField(help_text="Đề mục.")
    role = serializers.ChoiceField(choices=Heading.Role.choices, help_text="Vai trò của đề mục.")


class ClauseSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text=ID)
    section = serializers.ChoiceField(choices=Clause.Section.choices, help_text="Phần của kế hoạch.")
    parent_id = serializers.IntegerField(allow_null=True, help_text="Mục cha (mục lồng nhau).")
    heading_id = serializers.IntegerField(allow_null=True, help_text="Đề mục chứa mục này.")
    responsibility_id = serializers.IntegerField(allow_null=True, help_text="Trách nhiệm (phần Tổ chức thực hiện).")
    position = serializers.IntegerField(help_text="Thứ tự.")
    marker = serializers.ChoiceField(choices=Clause.Marker.choices, help_text="Kiểu ký hiệu đầu dòng.")
    marker_text = serializers.CharField(help_text="Ký hiệu như viết.")
    text = serializers.CharField(help_text="Nội dung.")
    area_id = serializers.IntegerField(allow_null=True, help_text="Lĩnh vực CCHC.")
    channel_id = serializers.IntegerField(allow_null=True, help_text="Hình thức tuyên truyền.")


class ResponsibilitySerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text=ID)
    position = serializers.IntegerField(help_text="Thứ tự.")
    agency_id = serializers.IntegerField(allow_null=True, help_text="Mã (id) cơ quan; null: cơ quan ngoài cổng.")
    title = serializers.CharField(help_text="Tên cơ quan như in.")
    is_request = serializers.BooleanField(help_text="«Đề nghị …»: cơ quan ngoài hệ thống hành chính.")


class TaskSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text=ID)
    plan_id = serializers.IntegerField(help_text="Mã (id) kế hoạch.")
    position = serializers.IntegerField(help_text="Thứ tự trong phụ lục.")
    content = serializers.CharField(help_text="Nội dung nhiệm vụ.")
    area_id = serializers.IntegerField(allow_null=True, help_text="Lĩnh vực CCHC.")
    area_code = serializers.CharField(source="area.code", allow_null=True, default=None, help_text="Mã lĩnh vực.")
    channel_id = serializers.IntegerField(allow_null=True, help_text="Hình thức tuyên truyền.")
    channel_code = serializers.CharField(source="channel.code", allow_null=True, default=None,
                                         help_text="Mã hình thức.")
    lead_agency_id = serializers.IntegerField(allow_null=True, help_text="Mã (id) cơ quan chủ trì.")
    lead_agency_code = serializers.CharField(source="lead_agency.code", allow_null=True, default=None,
                                             help_text="Mã cơ quan chủ trì.")
    coordinating_agency_ids = serializers.SerializerMethodField(help_text="Các cơ quan phối hợp (id).")
    coordinating_text = serializers.CharField(help_text="Phối hợp (cơ quan ngoài danh sách, như viết).")
    timeframe = serializers.CharField(help_text="Thời gian thực hiện như viết.")
    deadline = serializers.DateField(allow_null=True, help_text="Hạn hoàn thành.")
    product = serializers.CharField(help_text="Sản phẩm.")
    budget = serializers.IntegerField(allow_null=True, help_text="Kinh phí (đồng, số nguyên).")
    target_quantity = serializers.IntegerField(allow_null=True, help_text="Chỉ tiêu số lượng.")
    note = serializers.CharField(help_text="Ghi chú.")

    def get_coordinating_agency_ids(self, task) -> list[int]:
        return sorted(agency.pk for agency in task.coordinating_agencies.all())


class BasisSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text=ID)
    position = serializers.IntegerField(help_text="Thứ tự.")
    verb = serializers.CharField(help_text="Từ dẫn («Căn cứ», «Thực hiện»).")
    text = serializers.CharField(help_text="Văn bản được dẫn.")
    linked_plan_id = serializers.IntegerField(allow_null=True, help_text="Kế hoạch cấp trên trong cổng, nếu có.")


class SignedCopySerializer(serializers.Serializer):
    signer_organisation = serializers.CharField(help_text="Tổ chức trong chứng thư số của người ký.")
    signed_at = serializers.DateTimeField(allow_null=True, help_text="Thời điểm ký ghi trong chữ ký.")
    verified_at = serializers.DateTimeField(help_text="Lúc cổng kiểm tra chữ ký (hợp lệ).")
    sha256 = serializers.CharField(help_text="SHA-256 của tệp PDF đã ký.")


class PlanDetailSerializer(PlanSerializer):
    pdf_url = serializers.CharField(help_text="Địa chỉ API tải văn bản PDF (bản ký số khi có).")
    signed_copy = SignedCopySerializer(source="signed_copy_checked", allow_null=True,
                                       help_text="Bản ký số đã kiểm tra hợp lệ; null: chưa có.")
    basis_references = BasisSerializer(many=True, help_text="Căn cứ ban hành.")
    headings = HeadingSerializer(many=True, help_text="Các đề mục như viết.")
    clauses = ClauseSerializer(many=True, help_text="Các mục nội dung, theo thứ tự.")
    responsibilities = ResponsibilitySerializer(many=True, help_text="Trách nhiệm các cơ quan.")
    tasks = TaskSerializer(many=True, help_text="Phụ lục nhiệm vụ.")


class PeriodSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text=ID)
    kind = serializers.ChoiceField(source="rule.kind", choices=ReportingRule.Kind.choices, help_text="Loại kỳ.")
    label = serializers.CharField(help_text="Tên kỳ (ví dụ Quý I/2026).")
    year = serializers.IntegerField(help_text="Năm.")
    end_month = serializers.IntegerField(help_text="Tháng cuối kỳ.")
    start = serializers.DateField(help_text="Từ ngày.")
    end = serializers.DateField(help_text="Đến ngày (chốt số liệu).")
    due = serializers.DateField(help_text="Hạn tổng hợp cấp tỉnh.")


class PeriodDueSerializer(serializers.Serializer):
    period = PeriodSerializer(help_text="Kỳ báo cáo.")
    due_date = serializers.DateField(help_text="Hạn gửi báo cáo của đơn vị trong kỳ (theo bộ quy định áp dụng).")


class DeadlinesSerializer(serializers.Serializer):
    agency_id = serializers.IntegerField(help_text="Mã (id) đơn vị.")
    agency_code = serializers.CharField(help_text="Mã đơn vị.")
    year = serializers.IntegerField(help_text="Năm.")
    plan_deadline = serializers.DateField(
        allow_null=True, help_text="Hạn ban hành kế hoạch năm của đơn vị; null: không quy định.")
    reports = PeriodDueSerializer(many=True, help_text="Hạn gửi báo cáo của đơn vị theo từng kỳ trong năm.")


class FiguresSerializer(serializers.Serializer):
    tasks = serializers.IntegerField(help_text="Số nhiệm vụ có báo cáo.")
    done = serializers.IntegerField(help_text="Số nhiệm vụ đã hoàn thành.")
    spent = serializers.IntegerField(help_text="Kinh phí đã chi (đồng).")
    counters = serializers.DictField(child=serializers.IntegerField(),
                                     help_text="Số liệu theo mã chỉ tiêu thống kê (chỉ những chỉ tiêu có số).")


class SummaryGroupSerializer(FiguresSerializer):
    id = serializers.IntegerField(allow_null=True, help_text="Mã (id) lĩnh vực/hình thức; null: chưa phân loại.")
    code = serializers.CharField(allow_null=True, help_text="Mã lĩnh vực/hình thức; null: chưa phân loại.")
    name = serializers.CharField(help_text="Tên như trên báo cáo tổng hợp.")


class SummaryUnitSerializer(FiguresSerializer):
    agency_id = serializers.IntegerField(help_text="Mã (id) đơn vị (ở cấp toàn quốc: tỉnh).")
    name = serializers.CharField(help_text="Tên đơn vị như trên báo cáo tổng hợp.")
    merged_from = serializers.ListField(child=serializers.CharField(),
                                        help_text="Các đơn vị đã sáp nhập vào, số liệu cộng vào dòng này.")


class SummaryCountsSerializer(serializers.Serializer):
    reports = serializers.IntegerField(help_text="Số báo cáo của kỳ trong phạm vi.")
    accepted = serializers.IntegerField(help_text="Số báo cáo đã tiếp nhận (chỉ số liệu của chúng được cộng).")
    missing = serializers.IntegerField(help_text="Số đơn vị chưa nộp, đã quá hạn.")
    late = serializers.IntegerField(help_text="Số đơn vị nộp muộn.")
    units = serializers.IntegerField(help_text="Số dòng đơn vị trong tổng hợp.")


class SummarySerializer(serializers.Serializer):
    period_id = serializers.IntegerField(help_text="Mã (id) kỳ báo cáo.")
    agency_id = serializers.IntegerField(help_text="Mã (id) đơn vị tổng hợp (gốc của phạm vi).")
    agency_code = serializers.CharField(help_text="Mã đơn vị tổng hợp.")
    national = serializers.BooleanField(help_text="true: tổng hợp trên cấp tỉnh, mỗi dòng đơn vị là một tỉnh.")
    counts = SummaryCountsSerializer(help_text="Số báo cáo theo tình trạng.")
    totals = FiguresSerializer(help_text="Tổng cộng.")
    counter_labels = serializers.DictField(child=serializers.CharField(),
                                           help_text="Tên các chỉ tiêu có số liệu, theo mã.")
    by_area = SummaryGroupSerializer(many=True, help_text="Theo lĩnh vực CCHC.")
    by_channel = SummaryGroupSerializer(many=True, help_text="Theo hình thức tuyên truyền.")
    by_agency = SummaryUnitSerializer(many=True, help_text="Theo đơn vị.")
