"""Report forms: they only validate; reports/services.py writes."""

from __future__ import annotations

import io
import zipfile

from django import forms

from common.money import MoneyField, MoneyInput, money_format
from common.text import clean_text

from .models import NotificationPreference, ReportLine

MAX_EVIDENCE_BYTES = 10 * 1024 * 1024
NUMBER_ERROR = "Nhập số nguyên không âm bằng chữ số."


def _count_field(counter) -> MoneyField:
    """A figure typed the Vietnamese way ("5.000"), whole and not negative."""
    return MoneyField(
        label=f"{counter.label} ({counter.unit})" if counter.unit else counter.label, required=False,
        error_messages={"invalid": NUMBER_ERROR},
        widget=MoneyInput(attrs={"class": "form-control form-control-sm", "placeholder": "0"}),
    )


class ReportLineForm(forms.Form):
    state = forms.ChoiceField(label="Tình trạng", choices=ReportLine.Progress.choices,
                              widget=forms.Select(attrs={"class": "form-select form-select-sm"}))
    percent = forms.IntegerField(
        label="Tiến độ (%)", min_value=0, max_value=100,
        error_messages={"invalid": "Tiến độ là số từ 0 đến 100.", "min_value": "Tiến độ là số từ 0 đến 100.",
                        "max_value": "Tiến độ là số từ 0 đến 100.", "required": "Nhập tiến độ (0–100)."},
        widget=forms.NumberInput(attrs={"min": 0, "max": 100, "class": "form-control form-control-sm"}),
    )
    spent = MoneyField(
        label="Kinh phí đã dùng (đồng)", required=False,
        widget=MoneyInput(attrs={"class": "form-control form-control-sm"}),
    )
    note = forms.CharField(label="Ghi chú", required=False,
                           widget=forms.Textarea(attrs={"rows": 2, "class": "form-control form-control-sm"}))

    def __init__(self, *args, line: ReportLine, year_to_date: dict | None = None, **kwargs):
        """`year_to_date`: {counter id: the year's total before this report}, shown beside each figure."""
        initial = {"state": line.state, "percent": line.percent, "spent": line.spent, "note": line.note}
        counters = [c for c in line.task.channel.counter_set.all() if c.is_active] if line.task.channel else []
        if line.stretch_start and line.stretch_start > line.report.period.end:
            counters = []  # a shorter period ending the same day already counts these days
        figures = {f.counter_id: f for f in line.figures.all()}
        for counter in counters:
            figure = figures.get(counter.pk)
            initial |= {f"c_{counter.code}": figure.value if figure else None,
                        f"a_{counter.code}": figure.approximate if figure else False,
                        f"n_{counter.code}": figure.note if figure else ""}
        super().__init__(*args, prefix=f"line-{line.pk}", initial=initial, **kwargs)
        self.line = line
        self.counters = counters
        self.year_to_date = year_to_date or {}
        for counter in counters:
            self.fields[f"c_{counter.code}"] = _count_field(counter)
            self.fields[f"a_{counter.code}"] = forms.BooleanField(label="ước tính", required=False)
            self.fields[f"n_{counter.code}"] = forms.CharField(
                label="ghi chú số liệu", max_length=200, required=False,
                widget=forms.TextInput(attrs={"class": "form-control form-control-sm",
                                              "placeholder": "ví dụ: gần 5.000 lượt"}))

    def counter_rows(self):
        """(counter, value field, approximate field, note field, year total before this report) for the template."""
        return [(c, self[f"c_{c.code}"], self[f"a_{c.code}"], self[f"n_{c.code}"], self.year_to_date.get(c.pk, 0))
                for c in self.counters]

    def counter_fields(self):
        return [self[f"c_{c.code}"] for c in self.counters]

    def values(self) -> dict:
        data = self.cleaned_data
        return {
            "state": data["state"],
            "percent": data["percent"],
            "spent": data["spent"],
            "note": clean_text(data["note"]),
            "figures": {c: {"value": data[f"c_{c.code}"], "approximate": data[f"a_{c.code}"],
                            "note": clean_text(data[f"n_{c.code}"]).strip()} for c in self.counters},
        }

    def clean(self):
        data = super().clean()
        if data.get("state") == ReportLine.Progress.DONE and data.get("percent") not in (None, 100):
            self.add_error("percent", "Nhiệm vụ hoàn thành thì tiến độ là 100%.")
        for counter in self.counters:
            value = data.get(f"c_{counter.code}")
            if value is not None and value > counter.max_value:
                self.add_error(f"c_{counter.code}", f"Số liệu quá lớn cho một kỳ (tối đa "
                                                    f"{money_format(counter.max_value)}); kiểm tra lại chữ số 0 thừa.")
        return data


class NarrativeForm(forms.Form):
    lock_version = forms.IntegerField(widget=forms.HiddenInput)

    def clean(self):
        data = super().clean()
        for name in ("results", "shortcomings", "proposals"):
            data[name] = clean_text(data.get(name, ""))
        return data
    results = forms.CharField(label="Kết quả đạt được", required=False, widget=forms.Textarea(attrs={"rows": 4}))
    shortcomings = forms.CharField(label="Tồn tại, hạn chế", required=False,
                                   widget=forms.Textarea(attrs={"rows": 3}))
    proposals = forms.CharField(label="Đề xuất, kiến nghị", required=False, widget=forms.Textarea(attrs={"rows": 3}))


def _sniff(head: bytes, content: bytes) -> str | None:
    """The content type a file really has, from its bytes, not its name."""
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"PK\x03\x04"):
        try:
            names = set(zipfile.ZipFile(io.BytesIO(content)).namelist())
        except zipfile.BadZipFile:
            return None
        if "word/document.xml" in names:
            return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        if "xl/workbook.xml" in names:
            return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return None


EXTENSIONS = {
    "application/pdf": (".pdf",),
    "image/png": (".png",),
    "image/jpeg": (".jpg", ".jpeg"),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": (".docx",),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": (".xlsx",),
}


class EvidenceForm(forms.Form):
    file = forms.FileField(
        label="Tệp minh chứng", help_text="PDF, ảnh PNG/JPEG, DOCX hoặc XLSX; tối đa 10 MB.",
        error_messages={"required": "Chọn tệp minh chứng.", "empty": "Tệp rỗng."},
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_EVIDENCE_BYTES:
            raise forms.ValidationError("Tệp lớn hơn 10 MB; hãy nén hoặc chia nhỏ.")
        content = upload.read()
        kind = _sniff(content[:8], content)
        if kind is None:
            raise forms.ValidationError(
                "Nội dung tệp không phải PDF, ảnh PNG/JPEG, DOCX hay XLSX (tên tệp không quyết định loại tệp)."
            )
        if not upload.name.lower().endswith(EXTENSIONS[kind]):
            raise forms.ValidationError("Đuôi tên tệp không khớp với nội dung tệp.")
        self.cleaned_data["content"] = content
        self.cleaned_data["content_type"] = kind
        return upload


class RecordForm(NarrativeForm):
    """A report sent on paper: the day it was sent, then its narrative (the
    figures come from a ReportLineForm per line). The service checks the day."""

    submitted_on = forms.DateField(
        label="Ngày đơn vị gửi báo cáo", input_formats=["%d/%m/%Y", "%Y-%m-%d"],
        help_text="Ngày ghi trên báo cáo giấy hoặc ngày văn thư nhận, dạng dd/mm/yyyy.",
        widget=forms.DateInput(attrs={"placeholder": "dd/mm/yyyy"}, format="%d/%m/%Y"),
        error_messages={"invalid": "Nhập ngày dạng dd/mm/yyyy.", "required": "Nhập ngày đơn vị gửi báo cáo."},
    )

    field_order = ["submitted_on", "results", "shortcomings", "proposals"]


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(choices=[("accept", "Tiếp nhận"), ("return", "Trả lại")],
                                 error_messages={"required": "Chọn tiếp nhận hoặc trả lại."})
    comment = forms.CharField(label="Ý kiến chung", required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def clean(self):
        data = super().clean()
        if data.get("decision") == "return" and not data.get("comment", "").strip():
            self.add_error("comment", "Nhập ý kiến để đơn vị biết cần sửa gì.")
        return data


def signer_defaults(root) -> dict[str, str]:
    """Who signs the summary (BC) of `root` unless the reviewer says otherwise:
    a deputy signing for the head ("KT."), the usual case for a periodic BC;
    the name is left for the reviewer; the BC is filed with Nội vụ (NV)."""
    if root.name.startswith("Ủy ban nhân dân"):
        authority, position = "TM. ỦY BAN NHÂN DÂN\nKT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"
    elif root.kind == "ministry":
        authority, position = "KT. BỘ TRƯỞNG", "THỨ TRƯỞNG"
    elif root.kind in ("department", "unit"):
        authority, position = "KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC"
    else:
        authority, position = "KT. TRƯỞNG PHÒNG", "PHÓ TRƯỞNG PHÒNG"
    return {"signer_authority": authority, "signer_position": position, "signer_name": "", "filing": "NV"}


class SignerForm(forms.Form):
    """The sign-off of the summary (BC), sent as query parameters with the
    download: a GET, since downloading changes nothing."""

    signer_authority = forms.CharField(
        label="Thẩm quyền ký", required=False, max_length=200, widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Mỗi dòng một cấp, ví dụ «TM. ỦY BAN NHÂN DÂN» rồi «KT. CHỦ TỊCH».",
    )
    signer_position = forms.CharField(label="Chức vụ người ký", required=False, max_length=120)
    signer_name = forms.CharField(label="Họ tên người ký", required=False, max_length=120)
    filing = forms.CharField(label="Lưu: VT, …", required=False, max_length=40,
                             help_text="Chữ viết tắt của đơn vị soạn thảo, ví dụ NV.")

    def __init__(self, data=None, *, root):
        defaults = signer_defaults(root)
        # Unbound (the summary page, or a link without them): the defaults.
        bound = data is not None and any(name in data for name in defaults)
        super().__init__(data if bound else None, initial=defaults, prefix=None)
        self.defaults = defaults
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "form-control form-control-sm")

    def values(self) -> dict[str, str]:
        """What prints: each field as sent (composed, no control characters;
        left empty, it prints empty), or its default if none was sent or the
        value was refused (too long)."""
        if not self.is_bound:
            return dict(self.defaults)
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {name: clean_text(data[name]).strip() if name in data else default
                for name, default in self.defaults.items()}


Topic = NotificationPreference.Topic
# Who hears of each topic, said next to the choice.
TOPIC_HELP = {
    Topic.PLAN_SUBMITTED: "Gửi lãnh đạo cơ quan ban hành khi có dự thảo kế hoạch trình phê duyệt.",
    Topic.PLAN_RETURNED: "Gửi người soạn khi dự thảo bị trả lại, kèm lý do.",
    Topic.PLAN_WITHDRAWN: "Gửi lãnh đạo khi người soạn thu hồi dự thảo đã trình.",
    Topic.PLAN_ISSUED: "Gửi lãnh đạo đơn vị chủ trì nhiệm vụ khi kế hoạch được ban hành.",
    Topic.PLAN_DEADLINE: "Gửi người soạn trước và sau hạn ban hành kế hoạch năm sau (cả lãnh đạo khi đã quá hạn).",
    Topic.REPORT_DEADLINE: "Gửi đơn vị trước hạn, đúng hạn và khi quá hạn nộp báo cáo; cả lời nhắc của cơ quan Nội vụ.",
    Topic.REPORT_SUBMITTED: "Gửi người xem xét khi đơn vị trong phạm vi nộp báo cáo.",
    Topic.REPORT_RETURNED: "Gửi đơn vị khi báo cáo bị trả lại, kèm ý kiến.",
    Topic.REPORT_ACCEPTED: "Gửi lãnh đạo đơn vị khi báo cáo được tiếp nhận.",
    Topic.REPORT_ESCALATION: "Gửi người xem xét khi đơn vị quá hạn lâu chưa nộp báo cáo.",
}
BOTH, BELL = "both", "bell"


class NotificationPreferenceForm(forms.Form):
    """One choice per topic: bell and e-mail, or the bell only."""

    def __init__(self, *args, email: dict[str, bool], **kwargs):
        super().__init__(*args, **kwargs)
        for topic, label in Topic.choices:
            self.fields[topic] = forms.ChoiceField(
                label=label, help_text=TOPIC_HELP[topic],
                widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
                choices=[(BOTH, "Chuông và e-mail"), (BELL, "Chỉ chuông")],
                initial=BOTH if email.get(topic, True) else BELL,
                error_messages={"required": "Chọn một cách nhận.", "invalid_choice": "Chọn một cách nhận."},
            )

    def email(self) -> dict[str, bool]:
        return {topic: value == BOTH for topic, value in self.cleaned_data.items()}

    def groups(self) -> list[tuple[str, list]]:
        """The fields under two headings: plans, then reports."""
        fields = list(self)
        return [("Kế hoạch", [f for f in fields if f.name.startswith("plan_")]),
                ("Báo cáo", [f for f in fields if f.name.startswith("report_")])]
