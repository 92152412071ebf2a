"""Plans print as they were written, in both files: their own headings and
markers, the number as written ("049"), the basis verbs and the basis on
lines, a KH issued by a Quyết định (the decision page, then the plan), a
plan recorded from paper; the draft mark is not part of the PDF's text; and
every stored plan downloads whatever its text (control characters, a long
title, decomposed Unicode). Texts are read back with pypdf and python-docx."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import unicodedata

import pypdf
import pytest
from django.urls import reverse
from docx import Document
from docx.oxml.ns import qn
from docx.text.paragraph import Paragraph

from agencies.models import Agency
from agencies.tests.factories import AgencyFactory
from nd30.fetcher import RefusingURLFetcher
from nd30.parts import agency_letterhead, decision_authority
from plans import services
from plans.documents.docx import plan_docx_render
from plans.documents.pdf import plan_pdf_render
from plans.models import Plan
from plans.selectors import plan_with_contents

pytestmark = pytest.mark.django_db

# -- reading the files back ----------------------------------------------------------


def squash(text: str) -> str:
    """Whitespace folded; no Unicode normalisation, so a test sees what the file holds."""
    return re.sub(r"\s+", " ", text).strip()


def pdf_pages(data: bytes) -> list[str]:
    return [squash(page.extract_text()) for page in pypdf.PdfReader(io.BytesIO(data)).pages]


def docx_paragraphs(data: bytes) -> list[Paragraph]:
    """Every paragraph of the body in order, those in tables included."""
    document = Document(io.BytesIO(data))
    return [Paragraph(p, document) for p in document.element.body.iter(qn("w:p"))]


def docx_text(data: bytes) -> str:
    return squash("\n".join(p.text for p in docx_paragraphs(data)))


def in_order(text: str, needles: list[str]) -> None:
    position = 0
    for needle in needles:
        found = text.find(needle, position)
        assert found >= 0, f"{needle!r} missing after {text[position:position + 120]!r}"
        position = found + len(needle)


def render(plan: Plan) -> tuple[bytes, bytes]:
    plan = plan_with_contents().get(pk=plan.pk)
    return plan_pdf_render(plan=plan), plan_docx_render(plan=plan)


# -- plans ---------------------------------------------------------------------------------

HEADINGS = [
    {"level": 1, "marker": "I.", "text": "MỤC TIÊU, YÊU CẦU", "role": "group", "children": [
        {"level": 2, "marker": "1.", "text": "Mục tiêu", "role": "purpose", "clauses": [
            {"marker": "dash", "marker_text": "-", "text": "Nâng cao nhận thức về cải cách hành chính."}]},
        {"level": 2, "marker": "2.", "text": "Yêu cầu", "role": "requirement", "clauses": [
            {"marker": "dash", "marker_text": "-", "text": "Tuyên truyền thường xuyên, đúng trọng tâm."}]},
    ]},
    # Lettered as the source wrote it: b) skipped, c) twice.
    {"level": 1, "marker": "II.", "text": "ĐỐI TƯỢNG", "role": "other", "clauses": [
        {"marker": "letter", "marker_text": "a)", "text": "Cán bộ, công chức, viên chức."},
        {"marker": "letter", "marker_text": "c)", "text": "Người dân và doanh nghiệp."},
        {"marker": "letter", "marker_text": "c)", "text": "Học sinh, sinh viên."},
    ]},
    {"level": 1, "marker": "III.", "text": "TỔ CHỨC THỰC HIỆN", "role": "duty", "clauses": []},
]
PRINTED_BODY = [
    "I. MỤC TIÊU, YÊU CẦU", "1. Mục tiêu", "- Nâng cao nhận thức về cải cách hành chính.",
    "2. Yêu cầu", "- Tuyên truyền thường xuyên, đúng trọng tâm.",
    "II. ĐỐI TƯỢNG", "a) Cán bộ, công chức, viên chức.", "c) Người dân và doanh nghiệp.",
    "c) Học sinh, sinh viên.", "III. TỔ CHỨC THỰC HIỆN", "1. Văn phòng", "- Chủ trì triển khai Kế hoạch.",
]
BASIS = [
    {"verb": "Căn cứ", "text": "Luật Ban hành văn bản quy phạm pháp luật;"},
    {"verb": "Căn cứ", "text": "Nghị định số 30/2020/NĐ-CP ngày 05 tháng 3 năm 2020 của Chính phủ về công tác văn thư"},
    {"verb": "Xét đề nghị của", "text": "Trưởng phòng Nội vụ"},
]
LEAD_IN = "Ủy ban nhân dân huyện ban hành Kế hoạch với những nội dung sau:"


def plan_data(issuer: Agency, **fields) -> dict:
    """A version-2 plan (docs/plan-structure.md) with its own headings and markers."""
    return {
        "issuer": issuer.code, "kind": "yearly", "year_start": 2025, "year_end": 2025,
        "symbol": f"KH-{issuer.abbreviation}", "status": "draft", "draft_month": 3, "draft_year": 2025,
        "place": issuer.place_name, "title": "Tuyên truyền cải cách hành chính năm 2025",
        "basis": BASIS, "basis_lead_in": LEAD_IN, "headings": HEADINGS,
        "responsibilities": [{"title": "Văn phòng", "marker": "1.", "duties": [
            {"marker": "dash", "marker_text": "-", "text": "Chủ trì triển khai Kế hoạch."}]}],
        "recipients": ["Các cơ quan, đơn vị", "Lưu: VT, VP"],
        "signer": {"authority": ["TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH"], "position": "PHÓ CHỦ TỊCH",
                   "name": "Nguyễn Văn An"},
        **fields,
    }


@pytest.fixture
def ministry(db):
    return AgencyFactory(code="BNV", kind=Agency.Kind.MINISTRY, name="Bộ Nội vụ", abbreviation="BNV",
                         place_name="Hà Nội")


@pytest.fixture
def decision_plan(ministry, tree):
    """An issued ministry plan, issued by Quyết định 049/QĐ-BNV, with one appendix row."""
    return services.plan_create_from_data(data=plan_data(
        ministry, status="issued", number=49, number_text="049", issue_date="2025-03-01", form="decision",
        title="Tuyên truyền cải cách hành chính của Bộ Nội vụ năm 2025",
        decision={
            "number": 49, "number_text": "049", "symbol": "QĐ-BNV", "date": "2025-03-01",
            "title": "Về việc ban hành Kế hoạch tuyên truyền cải cách hành chính năm 2025",
            "basis": [
                {"verb": "Căn cứ", "text": "Nghị định số 63/2022/NĐ-CP của Chính phủ quy định chức năng, "
                                           "nhiệm vụ, quyền hạn và cơ cấu tổ chức của Bộ Nội vụ;"},
                {"verb": "Theo đề nghị của", "text": "Vụ trưởng Vụ Cải cách hành chính"},
            ],
            "articles": [
                "Điều 1. Ban hành kèm theo Quyết định này Kế hoạch tuyên truyền cải cách hành chính năm 2025.",
                "Điều 2. Quyết định này có hiệu lực kể từ ngày ký.",
                "Điều 3. Vụ trưởng Vụ Cải cách hành chính chịu trách nhiệm thi hành Quyết định này./.",
            ],
        },
        basis=[], basis_lead_in="",
        signer={"authority": ["KT. BỘ TRƯỞNG"], "position": "THỨ TRƯỞNG", "name": "Trương Hải Long"},
        recipients=["Như Điều 3", "Lưu: VT, CCHC"],
        tasks=[{"content": "Đăng tin về cải cách hành chính", "timeframe": "Hằng quý"}],
    ))


DECISION_PAGE = [
    "BỘ NỘI VỤ", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
    "Số: 049/QĐ-BNV", "Hà Nội, ngày 01 tháng 3 năm 2025", "QUYẾT ĐỊNH",
    "Về việc ban hành Kế hoạch tuyên truyền cải cách hành chính năm 2025", "BỘ TRƯỞNG BỘ NỘI VỤ",
    "Căn cứ Nghị định số 63/2022/NĐ-CP", "của Bộ Nội vụ;", "Theo đề nghị của Vụ trưởng Vụ Cải cách hành chính.",
    "QUYẾT ĐỊNH:", "Điều 1. Ban hành kèm theo Quyết định này", "Điều 2. Quyết định này có hiệu lực kể từ ngày ký.",
    "Điều 3. Vụ trưởng Vụ Cải cách hành chính chịu trách nhiệm thi hành Quyết định này./.",
]
ATTACHED = "(Ban hành kèm theo Quyết định số 049/QĐ-BNV ngày 01 tháng 3 năm 2025 của Bộ Nội vụ)"
PLAN_PAGE = ["BỘ NỘI VỤ", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "KẾ HOẠCH",
             "Tuyên truyền cải cách hành chính của Bộ Nội vụ năm 2025", ATTACHED]
APPENDIX_LINK = ("(Kèm theo Kế hoạch ban hành kèm theo Quyết định số 049/QĐ-BNV ngày 01 tháng 3 năm 2025 "
                 "của Bộ Nội vụ)")


# -- headings, markers, basis, number ------------------------------------------------


def test_a_plans_own_headings_and_markers_print_as_written(tree):
    plan = services.plan_create_from_data(data=plan_data(tree["district"]))
    pdf, docx = render(plan)
    for text in (" ".join(pdf_pages(pdf)), docx_text(docx)):
        in_order(text, ["KẾ HOẠCH", *PRINTED_BODY])
        assert "b) " not in text  # the skipped letter stays skipped
    paragraphs = [p.text for p in docx_paragraphs(docx)]
    for line in PRINTED_BODY:
        assert line in paragraphs  # each its own paragraph, nothing renumbered
    # Written text is not changed: no "./." is added after the last clause.
    assert "- Chủ trì triển khai Kế hoạch." in paragraphs and "Kế hoạch./." not in docx_text(docx)


def test_basis_verbs_print_as_written_in_one_paragraph(tree):
    plan = services.plan_create_from_data(data=plan_data(tree["district"]))
    pdf, docx = render(plan)
    paragraph = ("Căn cứ Luật Ban hành văn bản quy phạm pháp luật; Nghị định số 30/2020/NĐ-CP ngày 05 tháng 3 "
                 "năm 2020 của Chính phủ về công tác văn thư; Xét đề nghị của Trưởng phòng Nội vụ. " + LEAD_IN)
    assert paragraph in " ".join(pdf_pages(pdf))
    assert paragraph in [p.text for p in docx_paragraphs(docx)]


def test_basis_on_lines_prints_one_italic_line_each_then_the_lead_in(tree):
    plan = services.plan_create_from_data(data=plan_data(tree["district"], basis_style="lines"))
    pdf, docx = render(plan)
    lines = [
        "Căn cứ Luật Ban hành văn bản quy phạm pháp luật;",
        "Căn cứ Nghị định số 30/2020/NĐ-CP ngày 05 tháng 3 năm 2020 của Chính phủ về công tác văn thư;",
        "Xét đề nghị của Trưởng phòng Nội vụ.",
    ]
    in_order(" ".join(pdf_pages(pdf)), [*lines, LEAD_IN, "I. MỤC TIÊU, YÊU CẦU"])
    paragraphs = docx_paragraphs(docx)
    texts = [p.text for p in paragraphs]
    start = texts.index(lines[0])
    assert texts[start:start + 4] == [*lines, LEAD_IN]
    for paragraph in paragraphs[start:start + 3]:
        assert all(run.italic for run in paragraph.runs)
    assert not any(run.italic for run in paragraphs[start + 3].runs)


def test_a_recorded_plan_prints_its_number_as_written_and_no_draft_mark(tree):
    plan = services.plan_create_from_data(data=plan_data(
        tree["district"], status="issued", recorded=True, number=49, number_text="049", issue_date="2025-03-04"))
    pdf, docx = render(plan)
    first = pdf_pages(pdf)[0]
    assert "Số: 049/KH-UBND" in first and "Bình Giang, ngày 04 tháng 3 năm 2025" in first
    assert "Số: 049/KH-UBND" in docx_text(docx)
    assert Document(io.BytesIO(docx)).sections[0].first_page_header.paragraphs[0].text == ""
    assert _mark_pixels(pdf) == 0


def test_a_recorded_plan_not_marked_issued_still_prints_without_the_mark(tree):
    plan = services.plan_create_from_data(data=plan_data(
        tree["district"], recorded=True, number=49, number_text="049", issue_date="2025-03-04"))
    pdf, docx = render(plan)
    assert "Số: 049/KH-UBND" in pdf_pages(pdf)[0]
    assert Document(io.BytesIO(docx)).sections[0].first_page_header.paragraphs[0].text == ""
    assert _mark_pixels(pdf) == 0


# -- ministries and the Quyết định form ----------------------------------------------------


def test_ministry_and_ministry_unit_letterheads(ministry):
    unit = AgencyFactory(code="BNV-CCHC", parent=ministry, kind=Agency.Kind.CENTRAL_UNIT,
                         name="Vụ Cải cách hành chính", abbreviation="CCHC", place_name="Hà Nội")
    assert agency_letterhead(ministry) == ("", ["BỘ NỘI VỤ"])
    assert agency_letterhead(unit) == ("BỘ NỘI VỤ", ["VỤ CẢI CÁCH HÀNH CHÍNH"])
    plan = services.plan_create_from_data(data=plan_data(unit, symbol="KH-CCHC"))
    _, docx = render(plan)
    cell = Document(io.BytesIO(docx)).tables[0].rows[0].cells[0]
    parent, own = cell.paragraphs[0], cell.paragraphs[1]
    assert parent.text == "BỘ NỘI VỤ" and not any(run.bold for run in parent.runs)
    assert own.text == "VỤ CẢI CÁCH HÀNH CHÍNH" and all(run.bold for run in own.runs)


def test_decision_authority_from_the_signer_lines():
    assert decision_authority(["KT. BỘ TRƯỞNG", "THỨ TRƯỞNG"], "Bộ Nội vụ") == "BỘ TRƯỞNG BỘ NỘI VỤ"
    assert decision_authority(["BỘ TRƯỞNG"], "Bộ Nội vụ") == "BỘ TRƯỞNG BỘ NỘI VỤ"
    assert (decision_authority(["KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"], "Ủy ban nhân dân tỉnh Thử")
            == "CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH THỬ")
    # A collective body issuing in its own name, or no signer: the issuer's name.
    assert (decision_authority(["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"], "Ủy ban nhân dân tỉnh Thử")
            == "ỦY BAN NHÂN DÂN TỈNH THỬ")
    assert decision_authority([], "Bộ Nội vụ") == "BỘ NỘI VỤ"


def test_a_plan_issued_by_a_decision_prints_the_decision_then_the_plan_in_pdf(decision_plan):
    pdf, _ = render(decision_plan)
    pages = pdf_pages(pdf)
    plan_start = next(i for i, page in enumerate(pages) if "KẾ HOẠCH" in page)
    decision = " ".join(pages[:plan_start])
    in_order(decision, DECISION_PAGE)
    assert "Trương Hải Long" in decision and "Nơi nhận:" in decision and "- Như Điều 3;" in decision
    plan_pages = " ".join(pages[plan_start:])
    in_order(plan_pages, [*PLAN_PAGE, *PRINTED_BODY, "Phụ lục", APPENDIX_LINK])
    # The plan has no Số or date of its own, and is not signed a second time.
    assert "Số:" not in plan_pages and "ngày 01 tháng 3 năm 2025" not in pages[plan_start].replace(ATTACHED, "")
    assert "Trương Hải Long" not in plan_pages and "Nơi nhận" not in plan_pages
    assert "QUYẾT ĐỊNH" not in pages[plan_start].replace(ATTACHED.replace("Quyết định", "QUYẾT ĐỊNH"), "")
    # The plan is numbered on its own: no number on its first page, "2" on its second.
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    assert reader.pages[plan_start].extract_text().splitlines()[-1].strip() != str(plan_start + 1)


def test_a_plan_issued_by_a_decision_prints_the_decision_then_the_plan_in_docx(decision_plan):
    _, docx = render(decision_plan)
    document = Document(io.BytesIO(docx))
    text = docx_text(docx)
    plan_start = text.index("KẾ HOẠCH")
    in_order(text[:plan_start], [*DECISION_PAGE, "Nơi nhận:", "- Như Điều 3;", "Trương Hải Long"])
    in_order(text[plan_start:], [*PLAN_PAGE[3:], *PRINTED_BODY, "Phụ lục", APPENDIX_LINK])
    assert "Trương Hải Long" not in text[plan_start:] and "Nơi nhận" not in text[plan_start:]
    # Decision, plan (a new page numbered from 1), appendix.
    assert len(document.sections) == 3
    assert '<w:pgNumType w:start="1"/>' in document.sections[1]._sectPr.xml
    letterheads = [t for t in document.tables if "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in t.rows[0].cells[1].text]
    assert [len(t.rows) for t in letterheads] == [2, 1]  # the plan's has no Số / date row
    articles = [p for p in docx_paragraphs(docx) if p.text.startswith("Điều ")]
    assert [p.runs[0].text for p in articles] == ["Điều 1.", "Điều 2.", "Điều 3."]
    assert all(p.runs[0].bold and not p.runs[1].bold for p in articles)
    basis = [p for p in docx_paragraphs(docx) if p.text.startswith(("Căn cứ Nghị định số 63", "Theo đề nghị"))]
    assert [p.text[-1] for p in basis] == [";", "."] and all(r.italic for p in basis for r in p.runs)
    authority = next(p for p in docx_paragraphs(docx) if p.text == "BỘ TRƯỞNG BỘ NỘI VỤ")
    assert all(run.bold for run in authority.runs)
    attached = next(p for p in docx_paragraphs(docx) if p.text == ATTACHED)
    assert all(run.italic for run in attached.runs)


# -- the draft mark ----------------------------------------------------------------------


def _mark_pixels(pdf: bytes) -> int:
    """Pixels of page 1 in the mark's grey (#ededed), rendered without
    anti-aliasing so the black text adds no greys of its own."""
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm (poppler-utils) is not installed")
    pgm = subprocess.run(["pdftoppm", "-gray", "-r", "30", "-aa", "no", "-aaVector", "no", "-f", "1", "-l", "1", "-"],
                         input=pdf, capture_output=True, check=True).stdout
    # P5 header: magic, width, height, maxval, each followed by whitespace.
    fields = pgm.split(maxsplit=4)
    return fields[4].count(bytes([0xED]))


def test_the_draft_mark_shows_on_the_page_but_is_not_in_the_text(tree, monkeypatch):
    fetched = []
    monkeypatch.setattr(RefusingURLFetcher, "fetch", lambda self, url, headers=None: fetched.append(url))
    plan = services.plan_create_from_data(data=plan_data(tree["district"]))
    pdf, docx = render(plan)
    assert fetched == []  # an inline SVG: the fetcher still refuses everything and is never asked
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    assert all("DỰ THẢO" not in page.extract_text() for page in reader.pages)
    assert "THẢO" not in " ".join(pdf_pages(pdf))
    assert _mark_pixels(pdf) > 500  # the big grey letters are drawn
    assert "DỰ THẢO" in Document(io.BytesIO(docx)).sections[0].first_page_header.paragraphs[0].text


# -- every stored text prints ------------------------------------------------------------


def _nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


def test_any_stored_text_downloads_as_pdf_and_docx(client, tree, personas):
    plan = services.plan_create_from_data(data=plan_data(tree["district"]))
    title = ("Tuyên truyền cải cách hành chính nhà nước, chuyển đổi số và xây dựng chính quyền số "
             "trên địa bàn huyện Một năm 2025 ") * 4
    title = title.strip()
    assert len(title) > 300
    clause = plan.clauses.get(text="Cán bộ, công chức, viên chức.")
    # Stored past the form's cleaning: control characters and decomposed letters
    # (no NUL: PostgreSQL refuses it before it is ever stored).
    Plan.objects.filter(pk=plan.pk).update(
        title=_nfd(title[:150]) + "\x01\x1f\x7f" + title[150:],
        signer_name=_nfd("Nguyễn Văn\x02 An"),
        basis_lead_in=_nfd(LEAD_IN) + "\x08",
    )
    clause.text = "Cán bộ,\x0b công chức\x1b, " + _nfd("viên chức.")
    clause.save()
    personas.login(client, "drafter")

    pdf = client.get(reverse("plans:pdf", args=[plan.pk]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    text = " ".join(pdf_pages(pdf.content))
    assert unicodedata.is_normalized("NFC", text)
    for expected in (squash(title), "Nguyễn Văn An", LEAD_IN, "a) Cán bộ,"):
        assert expected in text

    docx = client.get(reverse("plans:docx", args=[plan.pk]))
    assert docx.status_code == 200
    document = Document(io.BytesIO(docx.content))
    assert document.core_properties.title == f"KẾ HOẠCH {title}"[:255]
    text = docx_text(docx.content)
    assert unicodedata.is_normalized("NFC", text)
    assert not re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", text)
    for expected in (title, "Nguyễn Văn An", LEAD_IN, "a) Cán bộ,", "công chức, viên chức."):
        assert expected in text
