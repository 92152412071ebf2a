"""Query filters of the read endpoints, as serializers: each is checked
(a bad value is a 400 with a Vietnamese message per parameter) and is the
endpoint's documented query parameters (extend_schema(parameters=[...]))."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from rest_framework import serializers

from agencies.models import Agency
from plans.models import Plan
from schedule.models import ReportingRule

# Integer parameters say what they expect in words a caller understands (not
# Django's «Nhập một số tổng thể.»); report_filters.py uses the same messages.
YEAR_INVALID = "Năm phải là số nguyên (ví dụ 2026)."
YEAR_RANGE = "Năm phải từ 1900 đến 2200."
ID_INVALID = "Mã (id) phải là số nguyên dương (ví dụ 12)."
ID_RANGE = "Mã (id) phải là số nguyên dương, không quá 19 chữ số."
YEAR_MESSAGES = {"invalid": YEAR_INVALID, "max_string_length": YEAR_INVALID,
                 "min_value": YEAR_RANGE, "max_value": YEAR_RANGE}
ID_MESSAGES = {"invalid": ID_INVALID, "max_string_length": ID_INVALID, "min_value": ID_RANGE, "max_value": ID_RANGE}
YEAR = {"min_value": 1900, "max_value": 2200, "error_messages": YEAR_MESSAGES}
ID = {"min_value": 1, "max_value": 2**63 - 1, "error_messages": ID_MESSAGES}


class UpdatedSinceField(serializers.DateTimeField):
    """An ISO date-time (or a date: from its first moment, Asia/Ho_Chi_Minh)."""

    def to_internal_value(self, value):
        if isinstance(value, str) and len(value.strip()) == 10:
            try:
                day = dt.date.fromisoformat(value.strip())
            except ValueError:
                pass
            else:
                return timezone.make_aware(dt.datetime.combine(day, dt.time.min))
        return super().to_internal_value(value)


def _updated_since() -> UpdatedSinceField:
    return UpdatedSinceField(
        required=False,
        help_text="Chỉ những bản ghi cập nhật từ thời điểm này (ISO 8601, ví dụ 2026-04-01 hoặc "
                  "2026-04-01T08:00:00+07:00): để hệ thống khác đồng bộ dần.",
    )


class Filters(serializers.Serializer):
    """Filters with a value given: {name: value}."""

    def given(self) -> dict:
        return {name: value for name, value in self.validated_data.items() if value not in (None, "")}


class AgencyFilters(Filters):
    parent = serializers.IntegerField(required=False, help_text="Mã (id) đơn vị cấp trên trực tiếp.", **ID)
    root = serializers.IntegerField(
        required=False, help_text="Chỉ đơn vị này và mọi đơn vị cấp dưới của nó (cây con).", **ID)
    kind = serializers.ChoiceField(choices=Agency.Kind.choices, required=False, help_text="Loại đơn vị.")
    code = serializers.CharField(required=False, max_length=40, help_text="Mã đơn vị (chính xác).")
    active = serializers.BooleanField(
        required=False, allow_null=True, default=None,
        help_text="true: đơn vị đang hoạt động; false: đơn vị đã sáp nhập/giải thể; bỏ trống: tất cả.")


class PlanFilters(Filters):
    year = serializers.IntegerField(required=False, help_text="Năm thuộc thời gian của kế hoạch.", **YEAR)
    status = serializers.ChoiceField(
        choices=[c for c in Plan.Status.choices if c[0] != Plan.Status.DELETED], required=False,
        help_text="Trạng thái kế hoạch.")
    issuer = serializers.IntegerField(required=False, help_text="Mã (id) cơ quan ban hành.", **ID)
    kind = serializers.ChoiceField(choices=Plan.Kind.choices, required=False, help_text="Loại kế hoạch.")
    updated_since = _updated_since()


class TaskFilters(Filters):
    plan = serializers.IntegerField(required=False, help_text="Mã (id) kế hoạch.", **ID)
    lead_agency = serializers.IntegerField(required=False, help_text="Mã (id) cơ quan chủ trì.", **ID)
    year = serializers.IntegerField(required=False, help_text="Năm thuộc thời gian của kế hoạch.", **YEAR)
    updated_since = UpdatedSinceField(
        required=False,
        help_text="Chỉ nhiệm vụ của kế hoạch cập nhật từ thời điểm này (ISO 8601; theo thời điểm cập nhật "
                  "của kế hoạch: chuyển trạng thái, ban hành, sửa phần chung).")


class PeriodFilters(Filters):
    year = serializers.IntegerField(required=False, help_text="Năm của kỳ báo cáo.", **YEAR)
    kind = serializers.ChoiceField(choices=ReportingRule.Kind.choices, required=False, help_text="Loại kỳ.")


class DeadlineFilters(Filters):
    year = serializers.IntegerField(
        required=False, help_text="Năm (mặc định: năm nay): các kỳ báo cáo của năm và hạn ban hành kế hoạch năm.",
        **YEAR)
