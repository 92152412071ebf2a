from django import template
from django.utils.safestring import mark_safe

from nd30.marks import outlined_text_svg

register = template.Library()


@register.simple_tag
def draft_mark_svg() -> str:
    # Built from the font file alone, no user text: safe to insert as markup.
    return mark_safe(outlined_text_svg())  # noqa: S308
