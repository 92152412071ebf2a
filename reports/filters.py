"""Filters of the reviewer's report list (/reports/): period, where a report
stands, unit kind, and the unit's name typed with or without diacritics.
A bad value (an unknown id, junk) is refused by its field and ignored."""

from __future__ import annotations

import datetime as dt

import django_filters
from django import forms
from django.db.models import QuerySet

from agencies.models import Agency
from common.text import fold

from .models import Report
from .states import DRAFT_STATES, STATES, state_filters

Status = Report.Status
MAX_SEARCH = 100

class ReportFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label="Tên đơn vị", method="search",
        widget=forms.TextInput(attrs={"placeholder": "Gõ có dấu hoặc không dấu, ví dụ «xa mot»"}),
    )
    period = django_filters.ChoiceFilter(label="Kỳ báo cáo", field_name="period_id", empty_label="Tất cả")
    state = django_filters.ChoiceFilter(
        label="Tình trạng", method="in_state", empty_label="Tất cả",
        choices=[(key, label) for key, (label, _) in STATES.items()],
    )
    kind = django_filters.ChoiceFilter(label="Loại đơn vị", field_name="agency__kind",
                                       choices=Agency.Kind.choices, empty_label="Tất cả")

    class Meta:
        model = Report
        fields = ["q", "period", "state", "kind"]

    def __init__(self, data=None, queryset=None, *, today: dt.date, periods, drafts: bool = True, **kwargs):
        """drafts=False: a list without unsent drafts (the units below a head
        or drafter) offers no state only a draft can be in."""
        super().__init__(data, queryset, **kwargs)
        self.today = today
        self.filters["period"].extra["choices"] = [(str(p.pk), p.label) for p in periods]
        if not drafts:
            self.filters["state"].extra["choices"] = [(key, label) for key, (label, _) in STATES.items()
                                                      if key not in DRAFT_STATES]
        for name, field in self.form.fields.items():
            css = "form-select form-select-sm" if isinstance(field.widget, forms.Select) else "form-control form-control-sm"
            field.widget.attrs.setdefault("class", css)
            field.widget.attrs.setdefault("id", f"filter-{name}")

    def in_state(self, queryset: QuerySet[Report], name: str, value: str) -> QuerySet[Report]:
        return queryset.filter(state_filters(self.today)[value])

    def search(self, queryset: QuerySet[Report], name: str, value: str) -> QuerySet[Report]:
        """Units of the list whose name, short name or code holds every word,
        folded here (one query for the names): neither database folds
        Vietnamese the way common.text.fold does."""
        words = fold(value[:MAX_SEARCH]).split()
        if not words:
            return queryset
        names = Agency.objects.filter(pk__in=queryset.values("agency_id")).values_list(
            "pk", "name", "short_name", "code"
        )
        ids = [pk for pk, full, short, code in names if all(w in fold(f"{full} {short} {code}") for w in words)]
        return queryset.filter(agency_id__in=ids)
