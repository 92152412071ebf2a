"""PAR Index forms: they only validate; par/services.py writes."""

from __future__ import annotations

import re
from decimal import Decimal

from django import forms
from django.core.files.base import ContentFile

from common.files import bounded_filename
from common.text import clean_text
from reports.forms import EvidenceForm

from .models import AssessmentItem, Criterion
from .thresholds import format_points

NOTE_MAX = 4000
POINTS_ERROR = "Nhập điểm bằng số, tối đa hai chữ số sau dấu phẩy, ví dụ 0,5."
POINTS_TEXT = re.compile(r"-?[0-9]{1,6}([.,][0-9]{1,2})?")
FILE_NAME_MAX = AssessmentItem._meta.get_field("file_name").max_length or 255


def parse_points(text: str) -> Decimal:
    """ "0,5", "0.5", " 1 " -> Decimal; ValueError for anything else (no
    exponent, no thousands, at most two decimals)."""
    text = (text or "").strip()
    if not POINTS_TEXT.fullmatch(text):
        raise ValueError(text)
    return Decimal(text.replace(",", "."))


class PointsField(forms.CharField):
    """Points typed the Vietnamese way ("0,5"), from 0 to the criterion's maximum."""

    def __init__(self, *, max_score: Decimal, **kwargs):
        self.max_score = max_score
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off",
                                                           "class": "form-control form-control-sm points-input"}))
        super().__init__(**kwargs)

    def to_python(self, value):
        text = super().to_python(value)
        if text in self.empty_values:
            return None
        try:
            points = parse_points(text)
        except ValueError:
            raise forms.ValidationError(POINTS_ERROR) from None
        if not (0 <= points <= self.max_score):
            raise forms.ValidationError(f"Điểm phải từ 0 đến {format_points(self.max_score)}.")
        return points

    def prepare_value(self, value):
        return format_points(value) if isinstance(value, Decimal) else value


def _note_field(label: str) -> forms.CharField:
    return forms.CharField(label=label, required=False, max_length=NOTE_MAX,
                           error_messages={"max_length": f"Tối đa {NOTE_MAX} ký tự."},
                           widget=forms.Textarea(attrs={"rows": 2, "class": "form-control form-control-sm"}))


class ItemForm(forms.Form):
    """The unit's note, extra file and (a criterion scored by hand) points for one leaf criterion."""

    note = _note_field("Giải trình của đơn vị")
    file = forms.FileField(label="Tệp bổ sung", required=False, help_text=EvidenceForm.base_fields["file"].help_text,
                           error_messages={"empty": "Tệp rỗng."})
    remove_file = forms.BooleanField(label="Bỏ tệp đã đính kèm", required=False)

    def __init__(self, *args, item: AssessmentItem, criterion: Criterion, **kwargs):
        kwargs.setdefault("initial", {"note": item.note, "self_points": item.self_points})
        super().__init__(*args, prefix=f"item-{item.pk}", **kwargs)
        self.item, self.criterion = item, criterion
        self.fields["file"].widget.attrs.update({"class": "form-control form-control-sm",
                                                 "accept": ".pdf,.png,.jpg,.jpeg,.docx,.xlsx"})
        if item.by_hand:
            self.fields["self_points"] = PointsField(
                label=f"Điểm tự chấm (tối đa {format_points(criterion.max_score)})", max_score=criterion.max_score,
                error_messages={"required": "Nhập điểm tự chấm."})
        if not item.file:
            del self.fields["remove_file"]

    def clean_note(self) -> str:
        return clean_text(self.cleaned_data["note"]).strip()

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if not upload:
            return None
        # The checks of a report's evidence: size, content sniffed from the bytes, extension matching it.
        checker = EvidenceForm(data={}, files={"file": upload})
        if not checker.is_valid():
            raise forms.ValidationError(checker.errors["file"])
        name = bounded_filename(upload.name, max_chars=FILE_NAME_MAX, max_bytes=4 * 255)
        return ContentFile(checker.cleaned_data["content"], name=name)


class AppraisalForm(forms.Form):
    """Per leaf criterion: the appraised points (empty: the self-score is
    accepted) and a comment (needed when the points differ)."""

    lock_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, items: list[tuple[AssessmentItem, Criterion]], lock_version: int, **kwargs):
        super().__init__(*args, prefix="appraise", initial={"lock_version": lock_version}, **kwargs)
        self.items = items
        for item, criterion in items:
            adjusted = item.appraised_points is not None and item.appraised_points != item.self_points
            self.fields[f"points_{item.pk}"] = PointsField(
                label=f"Điểm thẩm định – {criterion.code}", max_score=criterion.max_score, required=False,
                initial=item.appraised_points if adjusted else None)
            self.fields[f"points_{item.pk}"].widget.attrs["placeholder"] = f"giữ {format_points(item.self_points)}"
            self.fields[f"comment_{item.pk}"] = _note_field(f"Ý kiến thẩm định – {criterion.code}")
            self.fields[f"comment_{item.pk}"].widget.attrs["placeholder"] = "Ý kiến (bắt buộc khi đổi điểm)"
            self.fields[f"comment_{item.pk}"].initial = item.appraisal_comment
            # The inputs sit in the criteria table, outside the form's element.
            for name in (f"points_{item.pk}", f"comment_{item.pk}"):
                self.fields[name].widget.attrs["form"] = f"{self.prefix}-form"

    def clean(self):
        data = super().clean()
        for item, _ in self.items:
            comment_key = f"comment_{item.pk}"
            if comment_key in data:
                data[comment_key] = clean_text(data[comment_key]).strip()
            points = data.get(f"points_{item.pk}")
            if points is not None and points != item.self_points and not data.get(comment_key):
                self.add_error(comment_key, "Điểm thẩm định khác điểm tự chấm: ghi rõ lý do.")
        return data

    def decisions(self) -> dict[int, tuple[Decimal | None, str]]:
        data = self.cleaned_data
        return {item.pk: (data.get(f"points_{item.pk}"), data.get(f"comment_{item.pk}", "")) for item, _ in self.items}

    def pairs(self, item: AssessmentItem):
        return self[f"points_{item.pk}"], self[f"comment_{item.pk}"]


class ReturnForm(forms.Form):
    comment = forms.CharField(
        label="Lý do trả lại", max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
        error_messages={"required": "Nêu lý do trả lại để đơn vị sửa.", "max_length": f"Tối đa {NOTE_MAX} ký tự."})

    def clean_comment(self) -> str:
        comment = clean_text(self.cleaned_data["comment"]).strip()
        if not comment:
            raise forms.ValidationError("Nêu lý do trả lại để đơn vị sửa.")
        return comment
