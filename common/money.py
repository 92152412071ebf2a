"""Money as Vietnamese civil servants type and read it: whole đồng, groups of
three digits separated by dots ("150.000.000")."""

from __future__ import annotations

import re

from django import forms

MONEY_ERROR = "Nhập số tiền bằng chữ số (đồng), không âm, ví dụ 150.000.000."
MONEY_MAX = 10**15  # a quadrillion đồng: far above any plan, well inside bigint

# Digits grouped by dots, spaces or commas ("150.000.000", "150 000 000",
# "150,000,000"), or plain digits; an optional "đ"/"đồng"/"VNĐ" after.
_GROUPED = re.compile(r"^\d{1,3}(?:([.,\u00a0 ])\d{3})(?:\1\d{3})*$")
_PLAIN = re.compile(r"^\d+$")
_CURRENCY = re.compile(r"\s*(?:đồng|đ|vnđ|vnd)\.?$", re.IGNORECASE)
# "2.500.000,00" or "2500000.0": a zero decimal part, as spreadsheets print money.
_ZERO_DECIMALS = re.compile(r"^(?P<whole>.+?)[.,]0{1,2}$")


def money_parse(text: str) -> int:
    """The amount in đồng, or ValueError. A single dot or comma followed by
    one or two digits ("1,5", "150.5") is a decimal, never a thousand group,
    so it is refused rather than silently read as 15 or 1505."""
    value = _CURRENCY.sub("", (text or "").strip())
    zero_decimals = _ZERO_DECIMALS.match(value)
    if zero_decimals and (_PLAIN.match(zero_decimals["whole"]) or _GROUPED.match(zero_decimals["whole"])):
        value = zero_decimals["whole"]
    if _PLAIN.match(value):
        amount = int(value)
    elif _GROUPED.match(value):
        amount = int(re.sub(r"\D", "", value))
    else:
        raise ValueError(text)
    if amount > MONEY_MAX:
        raise ValueError(text)
    return amount


def money_format(amount: int | None) -> str:
    """150000000 -> "150.000.000"; None -> ""."""
    if amount is None:
        return ""
    return f"{amount:,}".replace(",", ".")


class MoneyInput(forms.TextInput):
    """A text box, not <input type=number>: browsers read "150.000.000" in a
    number box as 150 (the dot is their decimal point)."""

    def __init__(self, attrs=None):
        super().__init__({"inputmode": "numeric", "autocomplete": "off", "placeholder": "0"} | (attrs or {}))

    def format_value(self, value):
        if isinstance(value, int):
            return money_format(value)
        return super().format_value(value)


class MoneyField(forms.Field):
    """Whole đồng typed the Vietnamese way; shown back grouped with dots."""

    widget = MoneyInput
    default_error_messages = {"invalid": MONEY_ERROR}

    def to_python(self, value):
        if value in self.empty_values or (isinstance(value, str) and not value.strip()):
            return None
        if isinstance(value, int):
            return value
        try:
            return money_parse(str(value))
        except ValueError:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None
