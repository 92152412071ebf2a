import django_filters
from django import forms

from agencies.models import Agency
from common.text import fold

from .models import Plan

MAX_ISSUER_CHOICES = 300


class PlanFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label="Tìm kiếm", method="search",
        widget=forms.TextInput(attrs={"placeholder": "Trích yếu, số hiệu, cơ quan… (gõ có dấu hoặc không dấu)"}),
    )
    year = django_filters.NumberFilter(label="Năm", method="in_year")
    status = django_filters.ChoiceFilter(
        label="Trạng thái", empty_label="Tất cả",
        choices=[(value, label) for value, label in Plan.Status.choices if value != Plan.Status.DELETED],
    )
    issuer = django_filters.ChoiceFilter(label="Cơ quan ban hành", field_name="issuer_id", empty_label="Tất cả")

    class Meta:
        model = Plan
        fields = ["q", "year", "status", "issuer"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Only issuers of plans the user can see: the list itself is already scoped.
        # One query for the choices, whatever their number.
        issuers = list(
            Agency.objects.filter(pk__in=self.queryset.values("issuer_id"))
            .order_by("name").values_list("pk", "name")[: MAX_ISSUER_CHOICES + 1]
        )
        if len(issuers) > MAX_ISSUER_CHOICES:
            # A national reviewer sees thousands of issuers: a list that long
            # helps nobody; the search box (it matches issuer names) takes over.
            del self.filters["issuer"]
        else:
            self.filters["issuer"].extra["choices"] = [(str(pk), name) for pk, name in issuers]
        for field in self.form.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)

    def search(self, queryset, name, value):
        for word in fold(value).split():
            queryset = queryset.filter(search_text__contains=word)
        return queryset

    def in_year(self, queryset, name, value):
        return queryset.filter(year_start__lte=value, year_end__gte=value)
