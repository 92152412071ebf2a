"""{% pack_panel assessment as state %}: the evidence pack's state for templates/par/partials/pack.html."""

from django import template

from ..pack import pack_get
from ..pack_views import pack_state

register = template.Library()


@register.simple_tag(takes_context=True)
def pack_panel(context, assessment) -> dict:
    request = context["request"]
    agency = assessment.agency
    return pack_state(pack_get(agency, assessment.year), user=request.user, agency=agency)
