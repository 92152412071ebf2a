"""A plan's PDF: its document structure through the plan template."""

from __future__ import annotations

from django.template.loader import render_to_string

from nd30.pdf import html_to_pdf

from ..models import Plan
from .content import plan_document


def plan_pdf_render(*, plan: Plan) -> bytes:
    html = render_to_string("documents/plan.html", {"document": plan_document(plan)})
    return html_to_pdf(html)
