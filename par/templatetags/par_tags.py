"""Points written the Vietnamese way in the PAR templates: {{ value|points }} -> "0,5"."""

from decimal import Decimal, InvalidOperation

from django import template

from par.thresholds import format_points

register = template.Library()


@register.filter
def points(value) -> str:
    if value is None or value == "":
        return "—"
    try:
        return format_points(Decimal(str(value)))
    except InvalidOperation:
        return str(value)
