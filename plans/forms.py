"""Forms only validate; the services in plans/services.py write."""

from __future__ import annotations

import datetime as dt
import uuid

from django import forms
from django.forms import BaseFormSet, formset_factory

from agencies.models import Agency
from common.money import MoneyField

from .models import Area, Channel, Clause, Heading, Plan, Task
from .selectors import agency_choices

# One rule for headings (tab, review page, service) and one line format for clauses.
from .services import clauses_to_lines, heading_outline_problems, task_agencies

YEAR_RANGE_ERROR = "Năm phải trong khoảng 2000–2100."
TARGET_MAX = 1_000_000_000  # a task's quantity target, well inside the integer column


NUMBER_ERROR = "Nhập số văn bản bằng chữ số, ví dụ 05, 049 hoặc 1572."


class DocumentNumberField(forms.CharField):
    """A document number as written ("05", "049", "1572"): cleaned to the
    (number, as written) pair the plan stores: the number sorts and keeps the
    reference unique, the text is printed when it is not the usual form."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 7)
        kwargs.setdefault("error_messages", {"required": "Nhập số văn bản.", "max_length": NUMBER_ERROR})
        super().__init__(**kwargs)

    def clean(self, value):
        text = super().clean(value)
        if text in self.empty_values:
            return None
        if not text.isascii() or not text.isdigit() or int(text) == 0:
            raise forms.ValidationError(NUMBER_ERROR, code="invalid")
        number = int(text)
        # "9" and "09" print the ND30 way ("09"); only an unusual form ("049") is kept as written.
        return number, "" if text in (str(number), f"{number:02d}") else text


def date_field(label: str, **kwargs) -> forms.DateField:
    return forms.DateField(
        label=label, input_formats=["%d/%m/%Y", "%Y-%m-%d"],
        widget=forms.DateInput(attrs={"placeholder": "dd/mm/yyyy"}, format="%d/%m/%Y"),
        error_messages={"invalid": "Nhập ngày dạng dd/mm/yyyy.", "required": f"Nhập {label.lower()}."}, **kwargs,
    )


def not_in_future(day):
    from django.utils import timezone

    if day and day > timezone.localdate():
        raise forms.ValidationError("Ngày ban hành không được sau hôm nay.")
    return day


class CreationKeyMixin(forms.Form):
    """A one-time key in a form that creates something: the service makes one
    row per key, so a double click (two posts of one form) creates once."""

    creation_key = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("creation_key", uuid.uuid4())

    def clean_creation_key(self) -> uuid.UUID | None:
        try:  # a page without a key, or a garbled one, simply creates (no error to show on a hidden field)
            return uuid.UUID(self.cleaned_data.get("creation_key") or "")
        except ValueError:
            return None


AGENCY_OUT_OF_SCOPE = ("Đơn vị này không thuộc cơ quan ban hành hoặc đã sáp nhập, giải thể: chọn một đơn vị "
                       "trong danh sách (cơ quan, tổ chức ngoài hệ thống ghi ở ô «Phối hợp (khác)»).")


def agency_gone_note(agency) -> str:
    return (f"«{agency.name}» không còn chọn được (đã sáp nhập, giải thể hoặc không thuộc cơ quan ban hành): "
            "chọn đơn vị khác.")


class YearField(forms.IntegerField):
    def __init__(self, **kwargs):
        super().__init__(
            min_value=2000, max_value=2100,
            error_messages={"invalid": "Nhập năm bằng chữ số, ví dụ 2026.", "min_value": YEAR_RANGE_ERROR,
                            "max_value": YEAR_RANGE_ERROR, "required": "Nhập năm."},
            **kwargs,
        )


class PlanHeaderForm(forms.ModelForm):
    """Everything of a plan that is not a list: kind, years, title, texts, signer."""

    year_start = YearField(label="Từ năm")
    year_end = YearField(label="Đến năm", required=False, help_text="Kế hoạch một năm: để trống ô này; kế hoạch nhiều năm: năm cuối (ví dụ 2030).")
    budget_total = MoneyField(label="Tổng kinh phí (đồng)", required=False)
    decision_number = DocumentNumberField(label="Số quyết định", required=False)
    decision_date = date_field("Ngày quyết định", required=False)
    lock_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Plan
        fields = [
            "kind", "year_start", "year_end", "symbol", "title", "place", "draft_month", "draft_year",
            "basis_style", "basis_lead_in", "closing_text", "budget_total", "report_rules",
            "signer_authority", "signer_position", "signer_name", "keep_markers",
            "form", "decision_symbol", "decision_date", "decision_title", "decision_basis", "decision_articles",
        ]
        widgets = {
            "title": forms.Textarea(attrs={"rows": 2}),
            "basis_lead_in": forms.Textarea(attrs={"rows": 2}),
            "closing_text": forms.Textarea(attrs={"rows": 3}),
            "signer_authority": forms.Textarea(attrs={"rows": 2}),
            "report_rules": forms.CheckboxSelectMultiple,
            "decision_title": forms.Textarea(attrs={"rows": 2}),
            "decision_basis": forms.Textarea(attrs={"rows": 3}),
            "decision_articles": forms.Textarea(attrs={"rows": 4}),
        }
        error_messages = {
            "title": {"required": "Nhập trích yếu của kế hoạch."},
            "place": {"required": "Nhập địa danh ghi ở dòng ngày tháng."},
            "symbol": {"required": "Nhập ký hiệu văn bản, ví dụ KH-UBND."},
        }

    # Left out of a post (an older page, a script), these keep the plan's value.
    KEEP_WHEN_MISSING = ("symbol", "basis_style", "form")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.KEEP_WHEN_MISSING:
            if name in self.fields:
                self.fields[name].required = False
        plan = self.instance
        if plan.pk and plan.decision_number is not None:
            self.initial["decision_number"] = plan.decision_number_text or f"{plan.decision_number:02d}"

    def clean(self):
        data = super().clean()
        for name in self.KEEP_WHEN_MISSING:
            if name in self.fields and not data.get(name):
                data[name] = getattr(self.instance, name) or Plan._meta.get_field(name).get_default()
        if data.get("form") == Plan.Form.DECISION:
            for name, message in (("decision_symbol", "Nhập ký hiệu quyết định, ví dụ QĐ-UBND."),
                                  ("decision_title", "Nhập trích yếu của quyết định.")):
                if not (data.get(name) or "").strip():
                    self.add_error(name, message)
        if data.get("kind") == Plan.Kind.YEARLY and data.get("year_start"):
            data["year_end"] = data["year_start"]
        elif data.get("kind") == Plan.Kind.PERIOD:
            start, end = data.get("year_start"), data.get("year_end")
            if end is None:
                self.add_error("year_end", "Kế hoạch giai đoạn cần năm kết thúc.")
            elif start and end <= start:
                self.add_error("year_end", "Năm kết thúc phải sau năm bắt đầu.")
        return data


class NewPlanForm(CreationKeyMixin, PlanHeaderForm):
    issuer = forms.ModelChoiceField(label="Cơ quan ban hành", queryset=Agency.objects.none())

    # Only what a new plan asks for; the rest is filled in the editor.
    budget_total = None
    decision_number = None
    decision_date = None

    class Meta(PlanHeaderForm.Meta):
        fields = ["issuer", "kind", "year_start", "year_end", "title", "report_rules"]

    def __init__(self, *args, issuers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["issuer"].queryset = issuers
        if len(issuers) == 1:
            self.fields["issuer"].initial = issuers[0]


class BasisForm(forms.Form):
    id = forms.IntegerField(widget=forms.HiddenInput, required=False)
    # Any verb as written ("Xét đề nghị của …"); the usual ones are offered as suggestions.
    verb = forms.CharField(
        label="Từ dẫn", max_length=40, widget=forms.TextInput(attrs={"list": "basis-verbs"}),
        error_messages={"required": "Nhập từ dẫn, ví dụ «Căn cứ»."},
    )
    text = forms.CharField(
        label="Văn bản", widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Nhập văn bản căn cứ hoặc xóa dòng này."},
    )


MANAGEMENT_FORM_ERROR = ("Dữ liệu gửi lên không đầy đủ hoặc đã bị thay đổi (số dòng không hợp lệ): "
                         "hãy tải lại trang rồi nhập lại. Chưa có gì được lưu.")


class OrderedFormSet(BaseFormSet):
    """Rows in the order the user arranged them (ORDER), deleted rows left out.
    A garbled management form (rows-TOTAL_FORMS "abc", "1e10" …) is refused
    with a message above the rows, and the row checks below are skipped."""

    default_error_messages = {
        "missing_management_form": MANAGEMENT_FORM_ERROR,
        "too_many_forms": "Có quá nhiều dòng: mỗi lần lưu tối đa %(num)d dòng.",
        "too_few_forms": "Cần ít nhất %(num)d dòng.",
    }

    def total_form_count(self) -> int:
        # Past the most rows a formset takes, Django still builds 2,000 forms
        # only to refuse them (seconds of work for one post): build none, the
        # «too many rows» message comes from the count alone.
        if self.is_bound and self.management_form.is_valid() \
                and self.management_form.cleaned_data["TOTAL_FORMS"] > self.absolute_max:
            return 0
        return super().total_form_count()

    def management_broken(self) -> bool:
        if not self.is_bound:
            return False
        form = self.management_form
        if not form.is_valid():
            return True
        # A negative count would post no rows at all (the section would be emptied);
        # the page never posts more stored rows than rows.
        total, initial = form.cleaned_data["TOTAL_FORMS"], form.cleaned_data["INITIAL_FORMS"]
        return min(total, initial) < 0 or initial > total

    def rows(self) -> list[dict]:
        return [form.cleaned_data for form in self.ordered_forms if form.cleaned_data]

    def display_forms(self):
        """After a refused save, show the rows in the order the user left them."""
        if not self.is_bound:
            return self.forms

        def order(form):
            try:
                return int(form["ORDER"].value())
            except (TypeError, ValueError):
                return 10**6

        return sorted(self.forms, key=order)

    def clean(self):
        super().clean()
        if self.management_broken():
            if self.management_form.is_valid():  # well-formed but impossible: Django lets it through
                raise forms.ValidationError(MANAGEMENT_FORM_ERROR, code="missing_management_form")
            return
        ids = [f.cleaned_data.get("id") for f in self.forms if f.cleaned_data and f.cleaned_data.get("id")]
        if len(ids) != len(set(ids)):
            raise forms.ValidationError("Có dòng bị lặp; hãy tải lại trang rồi sửa lại.")


BasisFormSet = formset_factory(BasisForm, formset=OrderedFormSet, extra=0, can_order=True, can_delete=True)


class HeadingForm(forms.Form):
    id = forms.IntegerField(widget=forms.HiddenInput, required=False)
    level = forms.TypedChoiceField(label="Cấp", coerce=int, choices=[(1, "Phần (I., II.)"), (2, "Mục (1., 2.)")],
                                   initial=1)
    marker_text = forms.CharField(label="Số thứ tự", max_length=12, required=False,
                                  help_text="Để trống: tự đánh số.")
    text = forms.CharField(label="Đề mục như in", max_length=500,
                           error_messages={"required": "Nhập đề mục hoặc xóa dòng này."})
    role = forms.ChoiceField(label="Vai trò", choices=Heading.Role.choices)

    def clean(self):
        data = super().clean()
        if data.get("level") == 2 and data.get("role") == Heading.Role.GROUP:
            self.add_error("role", "Mục cấp 2 không chứa mục con: chọn vai trò khác «Nhóm đề mục».")
        return data



class HeadingFormSet(OrderedFormSet):
    def clean(self):
        super().clean()
        if not self.management_broken() and not any(form.errors for form in self.forms):
            problems = heading_outline_problems(self.rows())
            if problems:
                raise forms.ValidationError(problems)


HeadingRows = formset_factory(HeadingForm, formset=HeadingFormSet, extra=0, can_order=True, can_delete=True)


class ClauseForm(forms.Form):
    id = forms.IntegerField(widget=forms.HiddenInput, required=False)
    level = forms.TypedChoiceField(
        label="Cấp", coerce=int, choices=[(0, "1"), (1, "2"), (2, "3")], initial=0,
    )
    marker = forms.ChoiceField(label="Ký hiệu", choices=Clause.Marker.choices, initial=Clause.Marker.DASH)
    marker_text = forms.CharField(label="Như bản gốc", max_length=12, required=False,
                                  widget=forms.TextInput(attrs={"size": 5}))
    text = forms.CharField(
        label="Nội dung", widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Nhập nội dung hoặc xóa dòng này."},
    )
    area = forms.TypedChoiceField(label="Lĩnh vực", required=False, coerce=int, empty_value=None)
    channel = forms.TypedChoiceField(label="Hình thức", required=False, coerce=int, empty_value=None)

    def __init__(self, *args, area_choices=(), channel_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = [("", "---------"), *area_choices]
        self.fields["channel"].choices = [("", "---------"), *channel_choices]


class ClauseFormSet(OrderedFormSet):
    """Reference lists are read once for all rows, not once per row."""

    def __init__(self, *args, **kwargs):
        self.areas = {a.pk: a for a in Area.objects.filter(is_active=True)}
        self.channels = {c.pk: c for c in Channel.objects.filter(is_active=True)}
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {
            "area_choices": [(pk, a.name) for pk, a in self.areas.items()],
            "channel_choices": [(pk, c.name) for pk, c in self.channels.items()],
        }

    def rows(self) -> list[dict]:
        rows = super().rows()
        for row in rows:
            row["area"] = self.areas.get(row.get("area"))
            row["channel"] = self.channels.get(row.get("channel"))
        return rows

    def clean(self):
        super().clean()
        if any(self.errors) or self.management_broken():
            return
        previous = -1
        for form in self.ordered_forms:
            level = form.cleaned_data.get("level", 0)
            if level > previous + 1:
                form.add_error("level", "Ý con phải đứng ngay sau một ý cấp trên.")
            previous = level


ClauseRows = formset_factory(ClauseForm, formset=ClauseFormSet, extra=0, can_order=True, can_delete=True)


class ResponsibilityForm(forms.Form):
    id = forms.IntegerField(widget=forms.HiddenInput, required=False)
    agency = forms.TypedChoiceField(
        label="Cơ quan trong hệ thống", required=False, coerce=int, empty_value=None,
        widget=forms.Select(attrs={"data-agency-picker": "1"}),
        help_text="Để trống với nhóm cơ quan (ví dụ «Các cơ quan chuyên môn thuộc huyện») và với tổ chức "
                  "ngoài hệ thống không có trong danh sách: ghi tên ở ô «Tên như in».",
        error_messages={"invalid_choice": AGENCY_OUT_OF_SCOPE},
    )
    title = forms.CharField(label="Tên như in", required=False, max_length=255)
    is_request = forms.BooleanField(label="Đề nghị (ngoài hệ thống hành chính, như MTTQ)", required=False)
    duties = forms.CharField(
        label="Nhiệm vụ",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Mỗi dòng một ý; bắt đầu bằng «- » hoặc «+ » để in gạch đầu dòng.",
        error_messages={"required": "Nhập ít nhất một nhiệm vụ hoặc xóa cơ quan này."},
    )

    def __init__(self, *args, agency_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].choices = [("", "---------"), *agency_choices]
        gone = self.initial.get("agency_gone")
        if gone and not self.is_bound:
            self.fields["agency"].help_text = agency_gone_note(gone)

    def clean(self):
        data = super().clean()
        if not data.get("agency") and not data.get("title"):
            self.add_error("title", "Chọn cơ quan hoặc nhập tên như in.")
        return data


class ResponsibilityFormSet(OrderedFormSet):
    """Pickers offer the issuer's active units (read once for all rows)."""

    def __init__(self, *args, agencies: dict, **kwargs):
        """agencies: id -> Agency, the issuer's active units (parents selected)."""
        self.agencies = agencies
        self.agency_choices = agency_choices(agencies.values())
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {"agency_choices": self.agency_choices}

    def rows(self) -> list[dict]:
        rows = super().rows()
        for row in rows:
            row["agency"] = self.agencies.get(row.get("agency"))
        return rows


ResponsibilityRows = formset_factory(
    ResponsibilityForm, formset=ResponsibilityFormSet, extra=0, can_order=True, can_delete=True
)


class TaskForm(CreationKeyMixin, forms.ModelForm):
    budget = MoneyField(label="Kinh phí (đồng)", required=False)
    target_quantity = forms.IntegerField(
        label="Chỉ tiêu", required=False, min_value=0, max_value=TARGET_MAX,
        error_messages={"invalid": "Nhập số nguyên không âm.", "min_value": "Nhập số nguyên không âm.",
                        "max_value": "Chỉ tiêu tối đa 1.000.000.000."},
    )
    deadline = forms.DateField(
        label="Hạn hoàn thành", required=False, input_formats=["%d/%m/%Y", "%Y-%m-%d"],
        widget=forms.DateInput(attrs={"placeholder": "dd/mm/yyyy"}, format="%d/%m/%Y"),
        error_messages={"invalid": "Nhập một ngày có thật, dạng dd/mm/yyyy, ví dụ 30/06/2026."},
    )
    # The row's version when the form was opened (see Task.lock_version).
    lock_version = forms.IntegerField(widget=forms.HiddenInput, required=False,
                                      error_messages={"invalid": "Biểu mẫu đã cũ: tải lại trang rồi sửa lại."})

    class Meta:
        model = Task
        fields = [
            "content", "area", "channel", "lead_agency", "coordinating_agencies", "coordinating_text",
            "timeframe", "deadline", "product", "budget", "target_quantity",
        ]
        widgets = {"content": forms.Textarea(attrs={"rows": 2})}
        error_messages = {"content": {"required": "Nhập nội dung nhiệm vụ."}}

    def __init__(self, *args, plan: Plan, **kwargs):
        # Ids of the row's own (id_task-12-content, id_task-new-content): the
        # appendix may hold an edited row and a new one at once, and each label
        # must point to its own box.
        instance = kwargs.get("instance")
        kwargs.setdefault("auto_id", f"id_task-{instance.pk if instance and instance.pk else 'new'}-%s")
        super().__init__(*args, **kwargs)
        self.plan = plan
        if self.instance.pk:
            del self.fields["creation_key"]
            self.initial.setdefault("lock_version", self.instance.lock_version)
        else:
            del self.fields["lock_version"]
        # Only the issuer's units still in existence may lead or coordinate:
        # anything else posted is refused next to the field.
        scope = task_agencies(plan.issuer)
        choices = agency_choices(scope.select_related("parent"))
        lead, coordinating = self.fields["lead_agency"], self.fields["coordinating_agencies"]
        lead.queryset = coordinating.queryset = scope
        lead.choices = [("", "---------"), *choices]
        coordinating.choices = choices
        lead.required = True
        lead.error_messages |= {"required": "Chọn cơ quan chủ trì.", "invalid_choice": AGENCY_OUT_OF_SCOPE}
        coordinating.error_messages |= {"invalid_choice": AGENCY_OUT_OF_SCOPE,
                                        "invalid_pk_value": AGENCY_OUT_OF_SCOPE,
                                        "invalid_list": "Chọn các đơn vị phối hợp trong danh sách."}
        coordinating.help_text = "Chọn được nhiều đơn vị: trên máy tính giữ Ctrl (hoặc ⌘) khi bấm, trên điện thoại chạm từng đơn vị."
        for field in (lead, coordinating):
            field.widget.attrs["data-agency-picker"] = "1"
        coordinating.widget.attrs["size"] = 6
        if not self.is_bound and self.instance.pk and self.instance.lead_agency_id:
            if self.instance.lead_agency_id not in {pk for pk, _ in choices}:
                lead.help_text = agency_gone_note(self.instance.lead_agency)
        self.fields["area"].queryset = Area.objects.filter(is_active=True)
        self.fields["channel"].queryset = Channel.objects.filter(is_active=True)

    def clean_deadline(self):
        deadline: dt.date | None = self.cleaned_data.get("deadline")
        if deadline and not (self.plan.year_start <= deadline.year <= self.plan.year_end):
            raise forms.ValidationError(
                f"Hạn hoàn thành phải nằm trong thời gian của kế hoạch ({self.plan.years_label})."
            )
        return deadline

    def clean(self):
        data = super().clean()
        lead, coordinating = data.get("lead_agency"), data.get("coordinating_agencies")
        if lead and coordinating and lead in coordinating:
            self.add_error("coordinating_agencies", "Cơ quan chủ trì không đồng thời là cơ quan phối hợp.")
        return data

    def _post_clean(self):
        # The plan is set by the service; validate the row with it attached.
        self.instance.plan = self.plan
        super()._post_clean()

    def _get_validation_exclusions(self):
        # The creation key's uniqueness is the service's to handle (a double click is not an error).
        return {*super()._get_validation_exclusions(), "creation_key"}


class IssueForm(forms.Form):
    number = DocumentNumberField(label="Số văn bản", help_text="Như sẽ in, ví dụ 05 hoặc 049.")
    issue_date = date_field("Ngày ban hành")
    signer_authority = forms.CharField(
        label="Thẩm quyền ký", required=False, widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Mỗi dòng một cấp, ví dụ «TM. ỦY BAN NHÂN DÂN» rồi «KT. CHỦ TỊCH».",
    )
    signer_position = forms.CharField(label="Chức vụ người ký", max_length=120,
                                      error_messages={"required": "Nhập chức vụ người ký."})
    signer_name = forms.CharField(label="Họ tên người ký", max_length=120,
                                  error_messages={"required": "Nhập họ tên người ký."})
    published = forms.BooleanField(
        label="Công khai trên trang công khai", required=False, initial=True,
        help_text="Kế hoạch và phụ lục nhiệm vụ hiện trên trang công khai (không cần đăng nhập); "
                  "lãnh đạo đơn vị có thể thay đổi sau.",
    )

    def __init__(self, *args, submitted_on: dt.date | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.submitted_on = submitted_on

    def clean_issue_date(self):
        day = not_in_future(self.cleaned_data.get("issue_date"))
        if day and self.submitted_on and day < self.submitted_on:
            raise forms.ValidationError(
                f"Ngày ban hành không được trước ngày trình ({self.submitted_on:%d/%m/%Y})."
            )
        return day


class RecordForm(IssueForm):
    """A plan issued on paper before it came into the portal, entered with its real number, date and signer."""

    confirm = forms.BooleanField(
        label="Tôi xác nhận kế hoạch này đã được ký ban hành trên giấy với số, ngày và người ký như trên.",
        error_messages={"required": "Đánh dấu xác nhận trước khi ghi nhận."},
    )


class PublishForm(forms.Form):
    """Show an issued plan on the public register, or take it off."""

    published = forms.BooleanField(label="Công khai trên trang công khai", required=False)


class CommentForm(forms.Form):
    comment = forms.CharField(label="Ý kiến", widget=forms.Textarea(attrs={"rows": 3}), required=False)


class WithdrawForm(forms.Form):
    comment = forms.CharField(label="Lý do thu hồi (không bắt buộc)", widget=forms.Textarea(attrs={"rows": 2}),
                              required=False)


class ReturnForm(forms.Form):
    comment = forms.CharField(
        label="Lý do trả lại", widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Nhập lý do trả lại để người soạn biết cần sửa gì."},
    )


class CopyForm(CreationKeyMixin, forms.Form):
    issuer = forms.ModelChoiceField(label="Cơ quan ban hành", queryset=Agency.objects.none())
    year_start = YearField(label="Từ năm")
    year_end = YearField(label="Đến năm", required=False, help_text="Kế hoạch một năm: để trống ô này; kế hoạch nhiều năm: năm cuối (ví dụ 2030).")
    replace_years = forms.BooleanField(
        label="Thay năm trong nội dung như danh sách bên dưới", required=False, initial=True,
        help_text="Bỏ chọn để chép nguyên văn (chỉ trích yếu và hạn của nhiệm vụ đổi theo năm mới).",
    )
    # The years the listed replacements were worked out for: a copy for other
    # years first shows its own list.
    preview_for = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, issuers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["issuer"].queryset = issuers
        if len(issuers) == 1:
            self.fields["issuer"].initial = issuers[0]

    def clean(self):
        data = super().clean()
        start, end = data.get("year_start"), data.get("year_end")
        if start and end is None:
            data["year_end"] = start
        elif start and end and end < start:
            self.add_error("year_end", "Năm kết thúc không được trước năm bắt đầu.")
        return data

    @staticmethod
    def years_key(year_start, year_end) -> str:
        return f"{year_start}-{year_end}"


class CascadeForm(CreationKeyMixin, forms.Form):
    issuer = forms.ModelChoiceField(label="Cơ quan triển khai", queryset=Agency.objects.none())

    def __init__(self, *args, issuers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["issuer"].queryset = issuers
        if len(issuers) == 1:
            self.fields["issuer"].initial = issuers[0]


MAX_IMPORT_BYTES = 10 * 1024 * 1024


class ImportStartForm(forms.Form):
    issuer = forms.ModelChoiceField(label="Cơ quan ban hành", queryset=Agency.objects.none(),
                                    error_messages={"required": "Chọn cơ quan ban hành kế hoạch."})
    file = forms.FileField(label="Tệp kế hoạch (DOCX, PDF có chữ hoặc TXT)", required=False)
    text = forms.CharField(label="Hoặc dán nội dung kế hoạch", required=False, max_length=500_000,
                           widget=forms.Textarea(attrs={"rows": 10}),
                           error_messages={"max_length": "Nội dung dán vào quá dài (tối đa 500.000 ký tự); "
                                                         "hãy dán riêng phần kế hoạch."})

    def __init__(self, *args, issuers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["issuer"].queryset = issuers
        if len(issuers) == 1:
            self.fields["issuer"].initial = issuers[0]

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload and upload.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError("Tệp lớn hơn 10 MB; hãy tách phụ lục hoặc nén ảnh trong tệp.")
        return upload

    def clean(self):
        data = super().clean()
        if not data.get("file") and not (data.get("text") or "").strip() and "file" not in self.errors:
            raise forms.ValidationError("Chọn một tệp hoặc dán nội dung kế hoạch.")
        return data

    def source(self) -> tuple[bytes, str]:
        upload = self.cleaned_data.get("file")
        if upload:
            return upload.read(), upload.name
        return self.cleaned_data["text"].encode("utf-8"), ""


def _textarea(label, rows=3, **kwargs):
    return forms.CharField(label=label, required=False, widget=forms.Textarea(attrs={"rows": rows}), **kwargs)


class ImportReviewForm(forms.Form):
    """Every recognised part of an imported plan, editable; the lines the
    importer could not place each need a decision before the draft is saved."""

    title = forms.CharField(label="Trích yếu", widget=forms.Textarea(attrs={"rows": 2}),
                            error_messages={"required": "Nhập trích yếu của kế hoạch."})
    symbol = forms.CharField(label="Ký hiệu", max_length=40, error_messages={"required": "Nhập ký hiệu, ví dụ KH-UBND."})
    place = forms.CharField(label="Địa danh", max_length=120, error_messages={"required": "Nhập địa danh."})
    kind = forms.ChoiceField(label="Loại kế hoạch", choices=Plan.Kind.choices)
    year_start = YearField(label="Từ năm")
    year_end = YearField(label="Đến năm", required=False)
    basis = _textarea("Căn cứ (mỗi dòng một căn cứ, giữ nguyên từ dẫn)", rows=4)
    basis_style = forms.ChoiceField(label="Cách trình bày căn cứ", choices=Plan.BasisStyle.choices)
    basis_lead_in = _textarea("Câu dẫn", rows=2)
    closing_text = _textarea("Đoạn kết", rows=2)
    recipients = _textarea("Nơi nhận (mỗi dòng một nơi)", rows=4)
    signer_authority = _textarea("Thẩm quyền ký (mỗi dòng một cấp)", rows=2)
    signer_position = forms.CharField(label="Chức vụ người ký", max_length=120, required=False)
    signer_name = forms.CharField(label="Họ tên người ký", max_length=120, required=False)
    keep_all = forms.BooleanField(label="Các dòng chưa chọn: không thuộc kế hoạch (giữ riêng kèm dự thảo)",
                                  required=False)

    def __init__(self, *args, structure: dict, agencies, **kwargs):
        super().__init__(*args, **kwargs)
        self.structure = structure
        self.headings = list(_flat_headings(structure.get("headings", [])))
        self.responsibilities = structure.get("responsibilities", [])
        self.unplaced = structure.get("unplaced", [])
        targets = [("", "— chọn —"), ("keep", "Không thuộc kế hoạch: giữ riêng kèm dự thảo"),
                   ("basis", "Đưa vào: căn cứ"), ("recipients", "Đưa vào: nơi nhận")]
        for index, (level, heading) in enumerate(self.headings):
            prefix = f"h{index}"
            self.fields[f"{prefix}-level"] = forms.TypedChoiceField(
                label="Cấp", coerce=int, choices=[(1, "Phần"), (2, "Mục")], initial=level)
            self.fields[f"{prefix}-marker"] = forms.CharField(label="Số", max_length=12, required=False,
                                                              initial=heading.get("marker", ""))
            self.fields[f"{prefix}-text"] = forms.CharField(label="Đề mục", max_length=500,
                                                            initial=heading.get("text", ""))
            self.fields[f"{prefix}-role"] = forms.ChoiceField(label="Vai trò", choices=Heading.Role.choices,
                                                              initial=heading.get("role"))
            self.fields[f"{prefix}-clauses"] = _textarea("Nội dung", rows=6, initial="\n".join(
                clauses_to_lines(heading.get("clauses", []))))
            targets.append((prefix, f"Đưa vào: {heading.get('marker', '')} {heading.get('text', '')}"[:90]))
        for index, item in enumerate(self.responsibilities):
            prefix = f"r{index}"
            self.fields[f"{prefix}-marker"] = forms.CharField(label="Số", max_length=12, required=False,
                                                              initial=item.get("marker", ""))
            self.fields[f"{prefix}-title"] = forms.CharField(label="Cơ quan như in", max_length=255, required=False,
                                                             initial=item.get("title", ""))
            self.fields[f"{prefix}-agency"] = forms.ModelChoiceField(
                label="Là đơn vị", queryset=agencies, required=False, initial=item.get("agency_id"),
                empty_label="— không có trong danh sách —")
            self.fields[f"{prefix}-request"] = forms.BooleanField(label="Đề nghị (ngoài hệ thống)", required=False,
                                                                  initial=item.get("is_request", False))
            self.fields[f"{prefix}-duties"] = _textarea("Nhiệm vụ", rows=4, initial="\n".join(
                clauses_to_lines(item.get("duties", []))))
        for index, _line in enumerate(self.unplaced):
            self.fields[f"u{index}"] = forms.ChoiceField(
                label="Xử lý", choices=targets, required=True,
                error_messages={"required": "Chọn nơi đặt dòng này, hoặc xác nhận nó không thuộc kế hoạch."})

    def heading_rows(self):
        return [[self[f"h{i}-{name}"] for name in ("level", "marker", "text", "role", "clauses")]
                for i in range(len(self.headings))]

    def responsibility_rows(self):
        return [[self[f"r{i}-{name}"] for name in ("marker", "title", "agency", "request", "duties")]
                for i in range(len(self.responsibilities))]

    def unplaced_rows(self):
        return [(line, self[f"u{i}"]) for i, line in enumerate(self.unplaced)]

    def clean(self):
        data = super().clean()
        if data.get("kind") == Plan.Kind.YEARLY and data.get("year_start"):
            data["year_end"] = data["year_start"]
        elif data.get("year_start") and (data.get("year_end") or 0) < data["year_start"]:
            self.add_error("year_end", "Năm kết thúc không được trước năm bắt đầu.")
        outline = [{"level": data.get(f"h{i}-level"), "role": data.get(f"h{i}-role")} for i in range(len(self.headings))]
        for problem in heading_outline_problems(outline):
            self.add_error(None, problem)
        if data.get("keep_all"):  # "the rest is not part of the plan", for a page copied with its menus
            for index in range(len(self.unplaced)):
                if f"u{index}" in self.errors and not self.data.get(f"{self.add_prefix(f'u{index}')}"):
                    del self.errors[f"u{index}"]
                    data[f"u{index}"] = "keep"
        return data


def _flat_headings(headings: list[dict], level: int = 1):
    for heading in headings:
        yield level, heading
        yield from _flat_headings(heading.get("children", []), level + 1)


class SignedCopyForm(forms.Form):
    """Bản ký số: the issued plan's PDF signed outside the portal. The file
    is checked by the service (content, size, signature, the pages' text)."""

    file = forms.FileField(label="Tệp PDF đã ký số",
                           help_text="Tệp PDF của kế hoạch đã được lãnh đạo ký số (USB token hoặc ký số từ xa).")

    def clean_file(self):  # type: ignore[no-untyped-def]
        from .services.signing import MAX_SIGNED_PDF_BYTES

        upload = self.cleaned_data["file"]
        if upload.size > MAX_SIGNED_PDF_BYTES:
            raise forms.ValidationError(f"Tệp quá lớn (tối đa {MAX_SIGNED_PDF_BYTES // (1024 * 1024)} MB).")
        return upload


class SignatureCheckForm(forms.Form):
    file = forms.FileField(label="Tệp PDF cần kiểm tra chữ ký số")

    def clean_file(self):  # type: ignore[no-untyped-def]
        from .services.signing import MAX_SIGNED_PDF_BYTES

        upload = self.cleaned_data["file"]
        if upload.size > MAX_SIGNED_PDF_BYTES:
            raise forms.ValidationError(f"Tệp quá lớn (tối đa {MAX_SIGNED_PDF_BYTES // (1024 * 1024)} MB).")
        return upload
