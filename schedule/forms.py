"""Forms of the reporting calendar's admin pages."""

from django import forms
from django.core.validators import MaxValueValidator

from .models import DueRule, ReportingChain


class ReportingChainForm(forms.ModelForm):
    """A rule set's own fields. `editing_again`: the admin came back from the
    preview («Quay lại sửa») with what they typed; the admin then shows the
    form bound to it, with no error and nothing saved, as it does an invalid form."""

    editing_again = False

    class Meta:
        model = ReportingChain
        fields = ["name", "owner", "basis", "is_active"]

    def is_valid(self) -> bool:
        return super().is_valid() and not self.editing_again


WHOLE = "Nhập một số nguyên."
DAY = "Nhập ngày trong tháng từ 1 đến 28 (tháng nào cũng có)."
CUTOFF = "Nhập ngày từ 0 (ngày cuối tháng trước) đến 28."
MAX_WORKING_DAYS = 60


class DueRuleForm(forms.ModelForm):
    """One row of a rule set, with plain Vietnamese messages next to its
    fields. Working days are capped: no authority gives months, and a huge
    count would make every check walk the calendar for decades."""

    class Meta:
        model = DueRule
        fields = ["period_rule", "agency_kind", "cutoff_day", "mode", "due_day", "working_days"]
        error_messages = {
            "cutoff_day": {"invalid": WHOLE, "min_value": CUTOFF, "max_value": CUTOFF},
            "due_day": {"invalid": WHOLE, "min_value": DAY, "max_value": DAY},
            "working_days": {
                "invalid": WHOLE,
                "min_value": "Ít nhất 1 ngày làm việc sau ngày chốt (Nghị định 09/2019/NĐ-CP).",
                "max_value": f"Tối đa {MAX_WORKING_DAYS} ngày làm việc.",
            },
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        working_days = self.fields["working_days"]
        working_days.validators.append(MaxValueValidator(MAX_WORKING_DAYS))
        working_days.widget.attrs["max"] = MAX_WORKING_DAYS
