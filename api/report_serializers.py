"""Shapes of the report endpoints: what they print (output serializers) and
what they accept (input serializers, strict: an unknown key, a string where
a number goes or a number where a string goes is refused by name). The
business checks stay the web form's (reports.forms.ReportLineForm): the
input is turned into the form's data and the form's Vietnamese messages
come back under the API's field names."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rest_framework import serializers

from common.money import MONEY_ERROR, MONEY_MAX
from reports.forms import ReportLineForm
from reports.models import Report, ReportEvent, ReportLine

UNKNOWN_FIELD = "Trường không được hỗ trợ ở đây; bỏ trường này hoặc kiểm tra chính tả tên trường."
REQUIRED = "Trường này là bắt buộc."
NOT_NULL = "Trường này không nhận giá trị null."
NOT_OBJECT = "Cần một đối tượng JSON ({{...}}), nhận được {datatype}."
NOT_LIST = "Cần một danh sách JSON ([...])."
TOO_MANY = "Danh sách dài quá (tối đa {max_length} phần tử)."
NOT_INTEGER = "Cần một số nguyên (kiểu số của JSON, không đặt trong dấu nháy)."
NOT_BOOLEAN = "Cần giá trị true hoặc false."
NOT_TEXT = "Cần một chuỗi ký tự."
TOO_LONG = "Dài quá {max_length} ký tự."
PERCENT = ReportLineForm.base_fields["percent"].error_messages["invalid"]  # "Tiến độ là số từ 0 đến 100."
VALUE_NEGATIVE = "Nhập số nguyên không âm."
LINE_NOT_HERE = "Dòng báo cáo không thuộc báo cáo này."
LINE_TWICE = "Dòng này xuất hiện hai lần trong yêu cầu."
COUNTER_TWICE = "Chỉ tiêu này xuất hiện hai lần trong dòng."
MAX_LINES = 2000
MAX_FIGURES = 200
MAX_TEXT = 100_000


def _messages(**extra: str) -> dict[str, str]:
    return {"required": REQUIRED, "null": NOT_NULL, "invalid": NOT_TEXT, "blank": REQUIRED} | extra


class StrictSerializer(serializers.Serializer):
    # Refuses keys it does not know, each under its own name, and says in
    # Vietnamese when it got something other than an object. (A comment, not a
    # docstring: drf-spectacular would give it to every subclass as its
    # description in the schema, whose texts are Vietnamese.)

    default_error_messages = {"invalid": NOT_OBJECT, "required": REQUIRED, "null": NOT_NULL}

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, Mapping):
            unknown = sorted(str(key) for key in data if key not in self.fields or self.fields[key].read_only)
            if unknown:
                raise serializers.ValidationError({key: [UNKNOWN_FIELD] for key in unknown})
        return super().to_internal_value(data)


class StrictIntegerField(serializers.IntegerField):
    """A JSON number without a fraction: never "5", 5.0 or true."""

    def __init__(self, **kwargs: Any) -> None:
        messages = {"invalid": NOT_INTEGER, "required": REQUIRED, "null": NOT_NULL, "max_string_length": NOT_INTEGER}
        kwargs["error_messages"] = messages | kwargs.get("error_messages", {})
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> int:
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictBooleanField(serializers.BooleanField):
    default_error_messages = {"invalid": NOT_BOOLEAN, "required": REQUIRED, "null": NOT_NULL}

    def to_internal_value(self, data: Any) -> bool:
        if not isinstance(data, bool):
            self.fail("invalid")
        return data


class StrictCharField(serializers.CharField):
    """A JSON string (DRF would take 5 for "5"); NFC and control characters
    are the middleware's (common.middleware.CleanTextMiddleware)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("allow_blank", True)
        kwargs.setdefault("trim_whitespace", False)
        kwargs["error_messages"] = _messages(max_length=TOO_LONG) | kwargs.get("error_messages", {})
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


def _list(child: serializers.Field, max_length: int, help_text: str, **kwargs: Any) -> serializers.ListField:
    return serializers.ListField(
        child=child, max_length=max_length, help_text=help_text,
        error_messages={"not_a_list": NOT_LIST, "max_length": TOO_MANY, "required": REQUIRED, "null": NOT_NULL},
        **kwargs,
    )


# Input ------------------------------------------------------------------------------


class FigureInputSerializer(StrictSerializer):
    counter = StrictCharField(max_length=40, allow_blank=False,
                              help_text="Mã chỉ tiêu (counter code), một trong các chỉ tiêu của dòng (trường counters).")
    value = StrictIntegerField(
        allow_null=True, min_value=0, max_value=MONEY_MAX, error_messages={"min_value": VALUE_NEGATIVE},
        help_text="Số liệu, số nguyên không âm, không quá giá trị tối đa của chỉ tiêu; null để xóa số liệu.",
    )
    approximate = StrictBooleanField(required=False, help_text="Số ước tính (khoảng, gần). Bỏ trống: giữ như cũ.")
    note = StrictCharField(required=False, max_length=200, help_text="Ghi chú số liệu (tối đa 200 ký tự).")


class LineFieldsSerializer(StrictSerializer):
    # The fields of a line a unit fills in; a field left out keeps its value.
    # The docstring is the schema's description (Vietnamese).
    """Các trường của một dòng báo cáo đơn vị nhập; trường không gửi giữ nguyên giá trị cũ."""

    state = serializers.ChoiceField(
        choices=ReportLine.Progress.choices, required=False,
        error_messages={"invalid_choice": "«{input}» không phải tình trạng hợp lệ (not_started, in_progress, done).",
                        "required": REQUIRED, "null": NOT_NULL},
        help_text="Tình trạng: not_started (chưa triển khai), in_progress (đang triển khai), done (hoàn thành).",
    )
    percent = StrictIntegerField(required=False, min_value=0, max_value=100,
                                 error_messages={"min_value": PERCENT, "max_value": PERCENT},
                                 help_text="Tiến độ (%), từ 0 đến 100; hoàn thành thì 100.")
    spent = StrictIntegerField(required=False, allow_null=True, min_value=0, max_value=MONEY_MAX,
                               error_messages={"min_value": MONEY_ERROR, "max_value": MONEY_ERROR},
                               help_text="Kinh phí đã dùng, số nguyên đồng (không dấu chấm); null: chưa có.")
    note = StrictCharField(required=False, max_length=MAX_TEXT, help_text="Ghi chú của dòng.")
    figures = _list(FigureInputSerializer(), MAX_FIGURES, required=False,
                    help_text="Số liệu theo chỉ tiêu; chỉ tiêu không nêu giữ nguyên số liệu cũ.")


class LineInputSerializer(LineFieldsSerializer):
    id = StrictIntegerField(help_text="Mã (id) dòng báo cáo, như trong lines[].id của báo cáo.")


class ReportPatchSerializer(StrictSerializer):
    # A partial update of a draft: fields left out keep their values.
    # The docstring is the schema's description (Vietnamese).
    """Sửa một phần báo cáo nháp: trường không gửi giữ nguyên giá trị cũ; phải gửi ít nhất một trường."""

    results = StrictCharField(required=False, max_length=MAX_TEXT, help_text="Kết quả đạt được.")
    shortcomings = StrictCharField(required=False, max_length=MAX_TEXT, help_text="Tồn tại, hạn chế.")
    proposals = StrictCharField(required=False, max_length=MAX_TEXT, help_text="Đề xuất, kiến nghị.")
    lines = _list(LineInputSerializer(), MAX_LINES, required=False,
                  help_text="Các dòng cần sửa (theo id); dòng không nêu giữ nguyên.")


class EmptySerializer(StrictSerializer):
    """No field: the body may be empty or {}."""


class AcceptSerializer(StrictSerializer):
    comment = StrictCharField(required=False, max_length=MAX_TEXT, help_text="Ý kiến khi tiếp nhận (không bắt buộc).")


class LineCommentSerializer(StrictSerializer):
    line = StrictIntegerField(help_text="Mã (id) dòng báo cáo.")
    comment = StrictCharField(max_length=MAX_TEXT, help_text="Ý kiến về dòng này.")


class ReturnSerializer(StrictSerializer):
    comment = StrictCharField(max_length=MAX_TEXT, help_text="Ý kiến chung: đơn vị cần sửa gì (bắt buộc).")
    line_comments = _list(LineCommentSerializer(), MAX_LINES, required=False,
                          help_text="Ý kiến theo từng dòng; dòng không nêu thì xóa ý kiến cũ.")


class EvidenceUploadSerializer(StrictSerializer):
    file = serializers.FileField(help_text="Tệp minh chứng: PDF, ảnh PNG/JPEG, DOCX hoặc XLSX; tối đa 10 MB. "
                                           "Loại tệp xét theo nội dung, đuôi tên phải khớp.")


# Output -----------------------------------------------------------------------------


class AgencyBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="Mã (id) đơn vị, ổn định.")
    code = serializers.CharField(help_text="Mã đơn vị.")
    name = serializers.CharField(help_text="Tên đơn vị.")


class PeriodBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="Mã (id) kỳ báo cáo.")
    label = serializers.CharField(help_text="Tên kỳ, ví dụ «Quý I/2026».")
    year = serializers.IntegerField(help_text="Năm.")
    start = serializers.DateField(help_text="Từ ngày.")
    end = serializers.DateField(help_text="Đến ngày (chốt số liệu).")


class ReportSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="Mã (id) báo cáo, ổn định.")
    agency = AgencyBriefSerializer(help_text="Đơn vị báo cáo.")
    period = PeriodBriefSerializer(help_text="Kỳ báo cáo.")
    status = serializers.ChoiceField(choices=Report.Status.choices,
                                     help_text="draft (chưa nộp), submitted (chờ xem xét), "
                                               "returned (bị trả lại), accepted (đã tiếp nhận).")
    status_label = serializers.CharField(source="get_status_display", help_text="Trạng thái bằng chữ.")
    due_date = serializers.DateField(help_text="Hạn nộp.")
    submitted_at = serializers.DateTimeField(allow_null=True, help_text="Nộp lúc (lần nộp đầu tiên).")
    recorded = serializers.BooleanField(help_text="Báo cáo nộp ngoài cổng, được ghi nhận lại.")
    lock_version = serializers.IntegerField(help_text="Phiên bản của báo cáo, tăng mỗi lần lưu; ETag được tạo từ số này.")
    updated_at = serializers.DateTimeField(help_text="Sửa lần cuối lúc (bộ lọc updated_since dựa vào trường này).")


class LineCounterSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Mã chỉ tiêu.")
    label = serializers.CharField(help_text="Tên chỉ tiêu.")
    unit = serializers.CharField(help_text="Đơn vị tính.")
    max_value = serializers.IntegerField(help_text="Giá trị tối đa một kỳ.")


class FigureSerializer(serializers.Serializer):
    counter = serializers.CharField(source="counter_code", help_text="Mã chỉ tiêu.")
    label = serializers.CharField(help_text="Tên chỉ tiêu khi nộp.")
    unit = serializers.CharField(help_text="Đơn vị tính khi nộp.")
    value = serializers.IntegerField(help_text="Số liệu.")
    approximate = serializers.BooleanField(help_text="Số ước tính.")
    note = serializers.CharField(help_text="Ghi chú số liệu.")


class LineSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="Mã (id) dòng báo cáo.")
    task_id = serializers.IntegerField(help_text="Mã (id) nhiệm vụ của kế hoạch.")
    plan_id = serializers.IntegerField(source="task.plan_id", help_text="Mã (id) kế hoạch.")
    task = serializers.CharField(source="task.content", help_text="Nội dung nhiệm vụ.")
    channel = serializers.CharField(source="task.channel.code", allow_null=True, default=None,
                                    help_text="Mã hình thức tuyên truyền của nhiệm vụ.")
    state = serializers.ChoiceField(choices=ReportLine.Progress.choices, help_text="Tình trạng.")
    percent = serializers.IntegerField(help_text="Tiến độ (%).")
    stretch_start = serializers.DateField(allow_null=True, help_text="Số liệu tính từ ngày.")
    spent = serializers.IntegerField(allow_null=True, help_text="Kinh phí đã dùng (đồng).")
    note = serializers.CharField(help_text="Ghi chú.")
    review_comment = serializers.CharField(help_text="Ý kiến xem xét của cơ quan Nội vụ.")
    counters = LineCounterSerializer(many=True, source="api_counters",
                                 help_text="Chỉ tiêu nhập được cho dòng này (theo hình thức của nhiệm vụ).")
    figures = FigureSerializer(many=True, source="api_figures", help_text="Số liệu đã nhập.")


class EvidenceSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="Mã (id) tệp minh chứng.")
    name = serializers.CharField(source="original_name", help_text="Tên tệp khi tải lên.")
    size = serializers.IntegerField(help_text="Dung lượng (byte).")
    content_type = serializers.CharField(help_text="Loại tệp (theo nội dung).")
    uploaded_at = serializers.DateTimeField(help_text="Tải lên lúc.")
    download_url = serializers.CharField(help_text="Địa chỉ tải tệp qua API (kiểm tra quyền).")


class EventSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ReportEvent.Kind.choices, help_text="Việc đã làm.")
    kind_label = serializers.CharField(source="get_kind_display", help_text="Việc đã làm, bằng chữ.")
    user = serializers.CharField(source="user_display", help_text="Người làm (họ tên hoặc tên đăng nhập).")
    created_at = serializers.DateTimeField(help_text="Lúc.")
    comment = serializers.CharField(help_text="Ý kiến.")
    line_comments = serializers.DictField(child=serializers.CharField(),
                                          help_text="Ý kiến theo dòng khi trả lại: {mã nhiệm vụ: ý kiến}.")


class PermissionsSerializer(serializers.Serializer):
    edit = serializers.BooleanField(help_text="Người gọi sửa được báo cáo (người soạn, lãnh đạo đơn vị).")
    submit = serializers.BooleanField(help_text="Người gọi nộp được (lãnh đạo đơn vị).")
    review = serializers.BooleanField(help_text="Người gọi tiếp nhận hoặc trả lại được (cơ quan Nội vụ).")


class ReportDetailSerializer(ReportSummarySerializer):
    results = serializers.CharField(help_text="Kết quả đạt được.")
    shortcomings = serializers.CharField(help_text="Tồn tại, hạn chế.")
    proposals = serializers.CharField(help_text="Đề xuất, kiến nghị.")
    lines = LineSerializer(many=True, source="api_lines", help_text="Các dòng: một dòng cho mỗi nhiệm vụ.")
    evidence = EvidenceSerializer(many=True, source="api_evidence", help_text="Tệp minh chứng.")
    events = EventSerializer(many=True, source="api_events", help_text="Các lần nộp, trả lại, tiếp nhận.")
    permissions = PermissionsSerializer(source="api_permissions", help_text="Người gọi được làm gì với báo cáo.")


class ErrorDetailSerializer(serializers.Serializer):
    # The same component as api/schema_hooks.py's ErrorDetail: one reason, in
    # Vietnamese. The docstring is the schema's description.
    """Lời từ chối: một thông báo bằng tiếng Việt."""

    detail = serializers.CharField(help_text="Lý do, bằng tiếng Việt.")
