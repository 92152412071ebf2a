"""A plan's PDF: its document structure through the plan template, in two
parts laid out on their own and joined: the body (with the decision page,
if any) and the task appendix. The appendix is landscape and numbers its
pages from 1, so apart it prints exactly as in one pass; editing a task
changes only its part, and the two can be made in separate processes."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache
from importlib.metadata import version

from django.template.loader import render_to_string

from ..models import Plan
from .content import PlanDocument, plan_document

BODY = "body"
APPENDIX = "appendix"


@dataclass(frozen=True)
class PdfPart:
    """One part's HTML and the key of its rendering: the same HTML with the
    same print CSS and WeasyPrint prints the same pages."""

    name: str
    html: str

    @property
    def digest(self) -> str:
        return hashlib.sha256(f"{_renderer_key()}\n{self.html}".encode()).hexdigest()[:32]


@lru_cache(maxsize=1)
def _renderer_key() -> str:
    # A deploy that changes the print CSS or WeasyPrint makes every part anew.
    return f"{version('weasyprint')} {hashlib.sha256(render_to_string('documents/print.css').encode()).hexdigest()}"


def plan_pdf_html(document: PlanDocument, part: str | None = None) -> str:
    return render_to_string("documents/plan.html", {"document": document, "part": part})


def plan_pdf_parts(plan: Plan) -> list[PdfPart]:
    """The body, then the appendix when the plan has tasks."""
    document = plan_document(plan)
    parts = [PdfPart(BODY, plan_pdf_html(document, BODY))]
    if document.appendix:
        parts.append(PdfPart(APPENDIX, plan_pdf_html(document, APPENDIX)))
    return parts


def pdf_part_render(part: PdfPart) -> bytes:
    from nd30.pdf import html_to_pdf

    return html_to_pdf(part.html)


def plan_pdf_join(parts: list[bytes]) -> bytes:
    from nd30.pdf import pdf_join

    return pdf_join(parts)


def plan_pdf_render(*, plan: Plan) -> bytes:
    """The plan's PDF made now, part by part (storage.py keeps them)."""
    return plan_pdf_join([pdf_part_render(part) for part in plan_pdf_parts(plan)])


def plan_pdf_render_single(*, plan: Plan) -> bytes:
    """The whole plan laid out in one pass: what the parts, joined, must equal."""
    from nd30.pdf import html_to_pdf

    return html_to_pdf(plan_pdf_html(plan_document(plan)))
