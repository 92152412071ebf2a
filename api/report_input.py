"""The API's report input checked by the web's own forms: a line's typed
values (already strict JSON types, report_serializers) are laid over what the
line holds now and given to reports.forms.ReportLineForm, so the range of a
percent, money in whole đồng, the counters a line's channel allows, each
counter's maximum and «done means 100%» are checked once, with the same
Vietnamese messages; those come back under the API's field names."""

from __future__ import annotations

from typing import Any

from reports.forms import NarrativeForm, ReportLineForm
from reports.models import Report, ReportLine

from .report_serializers import COUNTER_TWICE, LINE_NOT_HERE, LINE_TWICE

NARRATIVE = ("results", "shortcomings", "proposals")


def _counter_unknown(code: str, allowed: list[str]) -> str:
    if not allowed:
        return f"Chỉ tiêu «{code}» không nhập được: dòng này không có chỉ tiêu số liệu nào."
    return f"Chỉ tiêu «{code}» không dùng cho hình thức của nhiệm vụ này (dùng: {', '.join(allowed)})."


def line_values(line: ReportLine, given: dict[str, Any]) -> tuple[dict | None, dict]:
    """(the values report_save takes for the line, {}) or (None, the errors
    by API field name: figures as a list aligned with the given ones)."""
    probe = ReportLineForm(line=line)
    counters = {counter.code: counter for counter in probe.counters}
    current = probe.initial
    fields: dict[str, Any] = {
        "state": given.get("state", current["state"]),
        "percent": str(given.get("percent", current["percent"])),
        "spent": given["spent"] if "spent" in given else current["spent"],
        "note": given.get("note", current["note"]),
    }
    for code in counters:
        fields |= {f"c_{code}": current[f"c_{code}"], f"a_{code}": current[f"a_{code}"],
                   f"n_{code}": current[f"n_{code}"]}
    figures = given.get("figures", [])
    figure_errors: dict[int, dict] = {}
    where: dict[str, int] = {}
    for index, figure in enumerate(figures):
        code = figure["counter"]
        if code not in counters:
            figure_errors[index] = {"counter": [_counter_unknown(code, list(counters))]}
            continue
        if code in where:
            figure_errors[index] = {"counter": [COUNTER_TWICE]}
            continue
        where[code] = index
        fields[f"c_{code}"] = figure["value"]
        if "approximate" in figure:
            fields[f"a_{code}"] = figure["approximate"]
        if "note" in figure:
            fields[f"n_{code}"] = figure["note"]
    data = {f"{probe.prefix}-{name}": ("" if value is None else value) for name, value in fields.items()}
    form = ReportLineForm(data, line=line)
    errors: dict[str, Any] = {}
    if not form.is_valid():
        for name, messages in form.errors.items():
            kind, _, code = name.partition("_")
            if name == "__all__":
                errors.setdefault("non_field_errors", []).extend(messages)
            elif code in counters and kind in ("c", "a", "n") and len(kind) == 1:
                part = {"c": "value", "a": "approximate", "n": "note"}[kind]
                if code in where:
                    figure_errors.setdefault(where[code], {}).setdefault(part, []).extend(messages)
                else:  # a figure already stored, not sent now, fails a check
                    errors.setdefault("non_field_errors", []).extend(f"{code}: {m}" for m in messages)
            else:
                errors.setdefault(name, []).extend(messages)
    if figure_errors:
        errors["figures"] = figure_errors
    if errors:
        return None, errors
    return form.values(), {}


def lines_values(report: Report, given: list[dict]) -> tuple[dict[int, dict], dict[int, dict]]:
    """{line id: values} for report_save, and the errors by the index of
    the entry in `given` (as DRF's ListField gives them): empty if all passed."""
    own = {line.pk: line for line in report.lines.all()}
    values: dict[int, dict] = {}
    errors: dict[int, dict] = {}
    seen: set[int] = set()
    for index, entry in enumerate(given):
        line = own.get(entry["id"])
        if line is None:
            errors[index] = {"id": [LINE_NOT_HERE]}
        elif line.pk in seen:
            errors[index] = {"id": [LINE_TWICE]}
        else:
            seen.add(line.pk)
            entry_values, entry_errors = line_values(line, {k: v for k, v in entry.items() if k != "id"})
            if entry_errors:
                errors[index] = entry_errors
            elif entry_values is not None:
                values[line.pk] = entry_values
    return values, errors


def narrative_values(report: Report, given: dict[str, Any], lock_version: int) -> dict[str, str]:
    """The narrative as report_save takes it: the parts sent, the others as
    they are, cleaned by the web's NarrativeForm."""
    form = NarrativeForm({"lock_version": lock_version,
                          **{name: given.get(name, getattr(report, name)) for name in NARRATIVE}})
    form.is_valid()  # no part is required and none has a length limit
    return {name: form.cleaned_data.get(name, "") for name in NARRATIVE}
