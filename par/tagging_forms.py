"""The tagging pages' forms: one set of checkboxes per record, built from
the tags already read (no query per field)."""

from __future__ import annotations

from django import forms

from .models import Tag


def _field(tags: list[Tag], *, label: str, initial: set[int], editable: bool) -> forms.Field:
    return forms.TypedMultipleChoiceField(
        label=label, required=False, coerce=int, choices=[(t.pk, t.name) for t in tags],
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}), initial=sorted(initial), disabled=not editable,
        error_messages={"invalid_choice": "Nhãn đã chọn không còn; tải lại trang rồi chọn lại."})


class TaggingForm(forms.Form):
    """Fields named `<kind>_<id>`; `owners(kind)` gives back {id: tag ids} for the editable ones."""

    def __init__(self, data=None, *, tags: list[Tag], rows: list[tuple[str, int, str, set[int], bool]]):
        super().__init__(data)
        self.rows = rows
        for kind, pk, label, initial, editable in rows:
            self.fields[f"{kind}_{pk}"] = _field(tags, label=label, initial=initial, editable=editable)

    def owners(self, kind: str) -> dict[int, set[int]]:
        return {pk: set(self.cleaned_data[f"{k}_{pk}"]) for k, pk, _, _, editable in self.rows
                if k == kind and editable}

    def field(self, kind: str, pk: int) -> forms.BoundField:
        return self[f"{kind}_{pk}"]
