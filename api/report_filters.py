"""Filters of the API's report list, for another system syncing a scope
incrementally: year, period, status, unit and «updated since». A bad
value is a 400 naming the parameter (DjangoFilterBackend), never a 500:
ids and years are bounded before they reach the database."""

from __future__ import annotations

import django_filters
from django import forms

from reports.models import Report

MAX_ID = 2**31 - 1


class IdFilter(django_filters.Filter):
    field_class = forms.IntegerField


class ReportApiFilter(django_filters.FilterSet):
    year = IdFilter(field_name="period__year", min_value=1900, max_value=2200,
                    help_text="Năm của kỳ báo cáo, ví dụ 2026.")
    period = IdFilter(field_name="period_id", min_value=1, max_value=MAX_ID, help_text="Mã (id) kỳ báo cáo.")
    status = django_filters.ChoiceFilter(choices=Report.Status.choices,
                                         help_text="Trạng thái: draft, submitted, returned, accepted.")
    agency = IdFilter(field_name="agency_id", min_value=1, max_value=MAX_ID,
                      help_text="Mã (id) đơn vị báo cáo.")
    updated_since = django_filters.IsoDateTimeFilter(
        field_name="updated_at", lookup_expr="gte",
        help_text="Chỉ báo cáo sửa từ lúc này (ISO 8601, ví dụ 2026-04-01T00:00:00+07:00): để đồng bộ dần.",
    )

    class Meta:
        model = Report
        fields = ["year", "period", "status", "agency", "updated_since"]
