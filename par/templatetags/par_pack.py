"""{% pack_panel assessment as state %}: the evidence pack's state for templates/par/partials/pack.html."""

from django import template

from ..pack import pack_get
from ..pack_views import pack_state

register = template.Library()


@register.simple_tag(takes_context=True)
def pack_panel(context, assessment) -> dict:
    request = context["request"]
    agency = assessment.agency
    # The page's view may have read the pack already (par.views: pack_read, a 1-tuple).
    read = context.get("pack_read")
    pack = read[0] if read is not None else pack_get(agency, assessment.year)
    return pack_state(pack, user=request.user, agency=agency)
