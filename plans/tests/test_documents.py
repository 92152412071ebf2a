"""The plans as official documents (Nghị định 30): PDF and DOCX of four small
plans shaped like the demo seeds (a full draft with a two-page appendix, an
issued plan, a department's period plan, a plan without requirements), read
back with pypdf and python-docx, plus the download views and the render_plan
command. Each plan is built and rendered once for the module."""

from __future__ import annotations

import io
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import pypdf
import pytest
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.db import transaction
from django.urls import reverse
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Pt
from docx.text.paragraph import Paragraph

from agencies.models import Agency
from agencies.tests.factories import PASSWORD, AgencyFactory
from nd30.fetcher import RefusingURLFetcher
from nd30.pdf import html_to_pdf
from plans.documents import storage
from plans.documents.content import plan_document
from plans.documents.docx import plan_docx_render
from plans.documents.pdf import plan_pdf_render
from plans.models import Clause, Plan
from plans.selectors import plan_with_contents

from .factories import plan_full_draft, plan_issued_short, plan_period_draft, plan_without_requirements

pytestmark = pytest.mark.django_db

SHAPES = ["draft", "issued", "no-requirements", "period"]
A4 = (595, 842)
SERIF_FONTS = ("LiberationSerif", "Liberation-Serif", "TimesNewRoman", "Times-New-Roman")


def normalise(text: str) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip()


@dataclass
class Rendered:
    plan_id: int
    is_draft: bool
    title: str
    headings: list[str]
    samples: list[str]
    signer_name: str
    has_recipients: bool
    has_appendix: bool
    pdf: bytes
    docx: bytes


def _samples(plan: Plan, document) -> list[str]:
    """Stored paragraphs to find verbatim: the basis references and the first
    paragraph of the first clause of each section (the last body paragraph
    gets "./." and is left out)."""
    samples = [ref.text for ref in plan.basis_references.all()][:2]
    seen = set()
    for clause in plan.clauses.all():
        if clause.section in seen or clause.section == Clause.Section.RECIPIENT:
            continue
        seen.add(clause.section)
        samples.append(clause.text.splitlines()[0])
    last = document.body[-1].text
    return [s for s in samples if normalise(s) not in normalise(last)]


def build_plans() -> dict[str, Plan]:
    district = AgencyFactory(code="D", kind=Agency.Kind.DISTRICT, name="Ủy ban nhân dân huyện Một")
    leads = [
        AgencyFactory(code="D-NV", parent=district, name="Phòng Nội vụ", is_home_affairs=True),
        AgencyFactory(code="D-X", parent=district, kind=Agency.Kind.COMMUNE, name="Ủy ban nhân dân xã Một"),
    ]
    front = AgencyFactory(code="D-MTTQ", parent=district, kind=Agency.Kind.ORGANIZATION,
                          name="Ủy ban Mặt trận Tổ quốc Việt Nam huyện Một")
    return {
        # 14 rows: the appendix runs over two landscape pages.
        "draft": plan_full_draft(issuer=district, leads=leads, request_body=front, tasks=14),
        "issued": plan_issued_short(),
        "no-requirements": plan_without_requirements(),
        "period": plan_period_draft(),
    }


@pytest.fixture(scope="module")
def rendered(django_db_setup, django_db_blocker) -> dict[str, Rendered]:
    with django_db_blocker.unblock(), transaction.atomic():
        result = {}
        for shape, built in build_plans().items():
            plan = plan_with_contents().get(pk=built.pk)
            document = plan_document(plan)
            result[shape] = Rendered(
                plan_id=plan.pk,
                is_draft=document.is_draft,
                title=plan.title,
                headings=[b.text for b in document.body if b.kind == "section"],
                samples=_samples(plan, document),
                signer_name=plan.signer_name,
                has_recipients=bool(document.recipients),
                has_appendix=document.appendix is not None,
                pdf=plan_pdf_render(plan=plan),
                docx=plan_docx_render(plan=plan),
            )
        transaction.set_rollback(True)
    return result


@pytest.fixture(autouse=True)
def _own_media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


def pdf_pages(data: bytes) -> list[str]:
    """Text of each page without the faint draft mark and the page number."""
    pages = []
    for page in pypdf.PdfReader(io.BytesIO(data)).pages:
        lines = page.extract_text().splitlines()
        if lines and lines[0] == "DỰ THẢO":
            lines = lines[1:]
        if lines and lines[-1].strip().isdigit():
            lines = lines[:-1]
        pages.append("\n".join(lines))
    return pages


def pdf_text(data: bytes) -> str:
    return normalise("\n".join(pdf_pages(data)))


def docx_text(data: bytes) -> str:
    document = Document(io.BytesIO(data))
    paragraphs = document.element.body.iter(qn("w:p"))
    return normalise("\n".join(Paragraph(p, document).text for p in paragraphs))


def assert_in_order(text: str, needles: list[str]) -> int:
    position = 0
    for needle in needles:
        found = text.find(normalise(needle), position)
        assert found >= 0, f"{needle!r} missing after position {position}"
        position = found + len(normalise(needle))
    return position


def key_texts(doc: Rendered) -> list[str]:
    return [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Số:",
        "KẾ HOẠCH",
        doc.title,
        *doc.headings,
    ]


def assert_closing(text: str, doc: Rendered, after: int) -> None:
    # Recipients and signature sit side by side, so only "after the body" holds for both.
    if doc.signer_name:
        assert text.find(doc.signer_name, after) >= 0
    if doc.has_recipients:
        assert text.find("Nơi nhận:", after) >= 0


# -- PDF -------------------------------------------------------------------------


@pytest.mark.parametrize("shape", SHAPES)
def test_pdf_opens_on_a4_with_the_appendix_on_landscape_pages(rendered, shape):
    doc = rendered[shape]
    reader = pypdf.PdfReader(io.BytesIO(doc.pdf))
    sizes = [(round(p.mediabox.width), round(p.mediabox.height)) for p in reader.pages]
    texts = pdf_pages(doc.pdf)
    appendix_start = next((i for i, t in enumerate(texts) if t.startswith("Phụ lục")), len(texts))
    assert doc.has_appendix == (appendix_start < len(texts))
    assert sizes[:appendix_start] == [A4] * appendix_start
    assert sizes[appendix_start:] == [A4[::-1]] * (len(sizes) - appendix_start)


@pytest.mark.parametrize("shape", SHAPES)
def test_pdf_holds_the_key_texts_in_order(rendered, shape):
    doc = rendered[shape]
    text = pdf_text(doc.pdf)
    end_of_body = assert_in_order(text, key_texts(doc))
    assert_closing(text, doc, end_of_body)


@pytest.mark.parametrize("shape", SHAPES)
def test_pdf_text_equals_the_stored_paragraphs(rendered, shape):
    doc = rendered[shape]
    text = pdf_text(doc.pdf)
    assert len(doc.samples) >= 3
    for paragraph in doc.samples:
        assert normalise(paragraph) in text


def _fonts(data: bytes) -> dict[str, bool]:
    """Base font name -> embedded, for every font used on any page."""
    fonts = {}
    for page in pypdf.PdfReader(io.BytesIO(data)).pages:
        for ref in page["/Resources"].get("/Font", {}).values():
            font = ref.get_object()
            descriptor = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
            descriptor = descriptor["/FontDescriptor"].get_object()
            embedded = any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))
            fonts[font["/BaseFont"].split("+")[-1]] = embedded
    return fonts


@pytest.mark.parametrize("shape", SHAPES)
def test_pdf_embeds_only_serif_fonts(rendered, shape):
    fonts = _fonts(rendered[shape].pdf)
    assert fonts and all(fonts.values()), fonts
    assert all(name.startswith(SERIF_FONTS) for name in fonts), fonts


def test_every_vietnamese_letter_is_drawn_in_the_serif_font():
    tones = ["", "\u0300", "\u0301", "\u0309", "\u0303", "\u0323"]
    letters = [unicodedata.normalize("NFC", v + t) for v in "aăâeêioôơuưy" for t in tones] + ["đ"]
    words = " ".join(letters + [letter.upper() for letter in letters])
    pdf = html_to_pdf(f"<p>{words}</p><p><b>{words}</b></p><p><i>{words}</i></p>")
    assert pdf_text(pdf) == normalise(f"{words} {words} {words}")
    fonts = _fonts(pdf)
    assert all(name.startswith(SERIF_FONTS) for name in fonts), fonts


def test_draft_and_issued_plans_print_their_number_and_date(rendered):
    issued, draft = pdf_text(rendered["issued"].pdf), pdf_text(rendered["draft"].pdf)
    assert "Số: 255/KH-UBND" in issued
    assert "Thừa Thiên Huế, ngày 12 tháng 12 năm 2019" in issued
    issued_pages = pypdf.PdfReader(io.BytesIO(rendered["issued"].pdf)).pages
    assert not any("DỰ THẢO" in p.extract_text() for p in issued_pages)
    # Drafts leave number and day blank for the clerk; their mark on every page
    # is drawn as outlines, not text (test_documents_as_written looks at it).
    assert "Số: /KH-UBND" in draft
    assert "Bình Giang, ngày tháng 01 năm 2025" in draft
    pages = pypdf.PdfReader(io.BytesIO(rendered["draft"].pdf)).pages
    assert not any("DỰ THẢO" in p.extract_text() for p in pages)
    assert (
        "(Kèm theo Kế hoạch số /KH-UBND ngày tháng 01 năm 2025 của Ủy ban nhân dân huyện Một)" in draft
    )


def test_pages_are_numbered_from_page_two_and_the_appendix_on_its_own(rendered):
    reader = pypdf.PdfReader(io.BytesIO(rendered["draft"].pdf))
    last_lines = [p.extract_text().splitlines()[-1].strip() for p in reader.pages]
    appendix_start = next(i for i, t in enumerate(pdf_pages(rendered["draft"].pdf)) if t.startswith("Phụ lục"))
    body_pages = last_lines[:appendix_start]
    assert not body_pages[0].isdigit()
    assert body_pages[1:] == [str(n) for n in range(2, appendix_start + 1)]
    appendix_pages = last_lines[appendix_start:]
    assert len(appendix_pages) >= 2 and appendix_pages[0] != "1"
    assert appendix_pages[1:] == [str(n) for n in range(2, len(appendix_pages) + 1)]


def test_appendix_repeats_its_header_row_on_every_page(rendered):
    pages = pdf_pages(rendered["draft"].pdf)
    appendix = [p for p in pages if "Nội dung Hình thức Cơ quan chủ trì" in normalise(p)]
    assert len(appendix) >= 2
    first = normalise(appendix[0])
    assert_in_order(first, ["Phụ lục", "DANH MỤC NHIỆM VỤ, SẢN PHẨM", "(Kèm theo Kế hoạch số"])
    assert "Tổng cộng" in normalise(pages[-1])


# -- DOCX ------------------------------------------------------------------------


@pytest.mark.parametrize("shape", SHAPES)
def test_docx_holds_the_same_texts(rendered, shape):
    doc = rendered[shape]
    text = docx_text(doc.docx)
    end_of_body = assert_in_order(text, key_texts(doc))
    assert_closing(text, doc, end_of_body)
    for paragraph in doc.samples:
        assert normalise(paragraph) in text
    first_page_header = Document(io.BytesIO(doc.docx)).sections[0].first_page_header
    assert ("DỰ THẢO" in first_page_header.paragraphs[0].text) == doc.is_draft


@pytest.mark.parametrize("shape", SHAPES)
def test_docx_page_setup_styles_and_page_numbers(rendered, shape):
    doc = rendered[shape]
    document = Document(io.BytesIO(doc.docx))
    normal = document.styles["Normal"]
    assert normal.font.name == "Times New Roman" and normal.font.size == Pt(14)
    first = document.sections[0]
    mm = [round(length.mm) for length in (first.page_width, first.page_height)]
    margins = [
        round(m.mm) for m in (first.top_margin, first.bottom_margin, first.left_margin, first.right_margin)
    ]
    assert mm == [210, 297] and margins == [25, 20, 35, 20]
    assert first.different_first_page_header_footer
    assert "PAGE" in first.header._element.xml and "PAGE" not in first.first_page_header._element.xml
    assert len(document.sections) == (2 if doc.has_appendix else 1)
    if doc.has_appendix:
        appendix = document.sections[1]
        assert appendix.page_width > appendix.page_height
        assert '<w:pgNumType w:start="1"/>' in appendix._sectPr.xml
        header_row = document.tables[-1].rows[0]._tr
        assert header_row.find(qn("w:trPr")).find(qn("w:tblHeader")) is not None


def test_document_content_costs_no_queries_beyond_the_selector(draft, django_assert_num_queries):
    plan = plan_with_contents().get(pk=draft.pk)
    with django_assert_num_queries(0):
        plan_document(plan)


# -- safety --------------------------------------------------------------------------


@pytest.fixture
def fetched(monkeypatch):
    """(url, refused) for every resource WeasyPrint asks the fetcher for."""
    calls = []
    original = RefusingURLFetcher.fetch

    def spy(self, url, headers=None):
        try:
            response = original(self, url, headers)
        except ValueError:
            calls.append((url, True))
            raise
        calls.append((url, False))
        return response

    monkeypatch.setattr(RefusingURLFetcher, "fetch", spy)
    return calls


def test_the_fetcher_refuses_files_hosts_and_data(fetched):
    html = (
        '<img src="file:///etc/hostname"><img src="http://example.invalid/a.png">'
        '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">'
        '<link rel="stylesheet" href="https://example.invalid/x.css"><p>Văn bản</p>'
    )
    pdf = html_to_pdf(html)
    assert pdf.startswith(b"%PDF") and "Văn bản" in pdf_text(pdf)
    assert {url.split(":")[0] for url, _ in fetched} == {"file", "http", "https", "data"}
    assert all(refused for _, refused in fetched)


def test_user_text_is_printed_as_text_and_never_fetched(draft, fetched):
    plan = draft
    title = 'Kế hoạch <img src="http://example.invalid/x.png"> và <script>alert(1)</script>'
    Plan.objects.filter(pk=plan.pk).update(title=title)
    plan = plan_with_contents().get(pk=plan.pk)
    assert normalise(title) in pdf_text(plan_pdf_render(plan=plan))
    assert normalise(title) in docx_text(plan_docx_render(plan=plan))
    assert fetched == []  # autoescaped: an <img> in user text is text, not a request


# -- downloads -------------------------------------------------------------------


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


@pytest.mark.parametrize("fmt", ["pdf", "docx"])
def test_drafter_downloads_own_draft(client, personas, draft, fmt):
    plan = draft
    response = login(client, personas.drafter).get(reverse(f"plans:{fmt}", args=[plan.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == storage.FORMATS[fmt].content_type
    # What the file is (issuer and year), never an internal id.
    expected = f"KH-du-thao-{storage.file_name_part(str(plan.issuer))}-{plan.years_label}.{fmt}"
    assert response["Content-Disposition"] == f'attachment; filename="{expected}"'
    assert str(plan.pk) not in expected
    assert response.content[:4] in (b"%PDF", b"PK\x03\x04")


@pytest.mark.parametrize("fmt", ["pdf", "docx"])
def test_other_agency_gets_not_found(client, draft, commune_head, fmt):
    response = login(client, commune_head).get(reverse(f"plans:{fmt}", args=[draft.pk]))
    assert response.status_code == 404


@pytest.mark.parametrize("fmt", ["pdf", "docx"])
def test_anonymous_is_sent_to_login(client, draft, fmt):
    response = client.get(reverse(f"plans:{fmt}", args=[draft.pk]))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_issued_plan_is_rendered_once_and_served_from_storage(client, personas, issued_plan, monkeypatch):
    plan = issued_plan
    login(client, personas.admin)
    url = reverse("plans:pdf", args=[plan.pk])
    first = client.get(url)
    assert first["Content-Disposition"] == 'attachment; filename="KH-255-KH-UBND-2020.pdf"'
    assert default_storage.exists(f"documents/plans/{plan.pk}-v1-255.pdf")

    def no_render(*args, **kwargs):
        raise AssertionError("an issued plan must not be rendered twice")

    monkeypatch.setattr(storage, "_render", no_render)
    second = client.get(url)
    assert second.status_code == 200 and second.content == first.content


def test_draft_is_rendered_on_each_download(client, personas, draft):
    plan = draft
    login(client, personas.drafter)
    url = reverse("plans:docx", args=[plan.pk])
    client.get(url)
    Plan.objects.filter(pk=plan.pk).update(title="Tuyên truyền cải cách hành chính, bản sửa")
    assert "bản sửa" in docx_text(client.get(url).content)
    assert not default_storage.exists("documents/plans")


def test_plan_detail_shows_the_download_buttons(client, personas, draft):
    plan = draft
    body = login(client, personas.drafter).get(reverse("plans:detail", args=[plan.pk])).content.decode()
    assert "Tải PDF" in body and reverse("plans:pdf", args=[plan.pk]) in body
    assert "Tải DOCX" in body and reverse("plans:docx", args=[plan.pk]) in body


# -- render_plan command -------------------------------------------------------------


def test_command_renders_by_number_and_by_id(draft, issued_plan, tmp_path):
    out = tmp_path / "kh.pdf"
    call_command("render_plan", "255/KH-UBND", "--format", "pdf", "--output", str(out), stdout=io.StringIO())
    assert "Số: 255/KH-UBND" in pdf_text(out.read_bytes())
    out = tmp_path / "kh.docx"
    plan = draft
    call_command("render_plan", str(plan.pk), "--format", "docx", "--output", str(out), stdout=io.StringIO())
    assert normalise(plan.title) in docx_text(out.read_bytes())


def test_command_checks_the_user_and_the_reference(draft, commune_head, tmp_path):
    plan_id = str(draft.pk)
    out = str(tmp_path / "x.pdf")
    with pytest.raises(CommandError, match="không xem được"):
        call_command("render_plan", plan_id, "--user", "head2", "--output", out)
    call_command("render_plan", plan_id, "--user", "drafter", "--output", out, stdout=io.StringIO())
    assert Path(out).read_bytes().startswith(b"%PDF")
    with pytest.raises(CommandError, match="Không có kế hoạch"):
        call_command("render_plan", "999/KH-UBND", "--output", out)
    with pytest.raises(CommandError):
        call_command("render_plan", "không-phải-số", "--output", out)
