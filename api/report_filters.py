"""Filters of the API's report list, for another system syncing a scope
incrementally: year, period, status, unit and «updated since». A bad
value is a 400 naming the parameter (DjangoFilterBackend), never a 500:
ids and years are bounded before they reach the database."""

from __future__ import annotations

import django_filters
from django import forms

from reports.models import Report

from .read_filters import ID_INVALID, YEAR_INVALID

ID_BOUNDS = "Mã (id) phải là số nguyên dương, không quá 10 chữ số."
YEAR_BOUNDS = "Năm phải từ 1900 đến 2200."
YEAR_MESSAGES = {"invalid": YEAR_INVALID, "min_value": YEAR_BOUNDS, "max_value": YEAR_BOUNDS}
ID_MESSAGES = {"invalid": ID_INVALID, "min_value": ID_BOUNDS, "max_value": ID_BOUNDS}

MAX_ID = 2**31 - 1


class IdFilter(django_filters.Filter):
    field_class = forms.IntegerField


class ReportApiFilter(django_filters.FilterSet):
    year = IdFilter(field_name="period__year", min_value=1900, max_value=2200, error_messages=YEAR_MESSAGES,
                    help_text="Năm của kỳ báo cáo, ví dụ 2026.")
    period = IdFilter(field_name="period_id", min_value=1, max_value=MAX_ID, error_messages=ID_MESSAGES,
                      help_text="Mã (id) kỳ báo cáo.")
    status = django_filters.ChoiceFilter(choices=Report.Status.choices,
                                         help_text="Trạng thái: draft, submitted, returned, accepted.")
    agency = IdFilter(field_name="agency_id", min_value=1, max_value=MAX_ID, error_messages=ID_MESSAGES,
                      help_text="Mã (id) đơn vị báo cáo.")
    updated_since = django_filters.IsoDateTimeFilter(
        field_name="updated_at", lookup_expr="gte",
        help_text="Chỉ báo cáo sửa từ lúc này (ISO 8601, ví dụ 2026-04-01T00:00:00+07:00): để đồng bộ dần.",
    )

    class Meta:
        model = Report
        fields = ["year", "period", "status", "agency", "updated_since"]
