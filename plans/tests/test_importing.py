"""The plan importer's recognition engine (plans/importing): small synthetic plans."""

import io

import pytest
from docx import Document

from plans.importing import (
    MAX_BYTES,
    ImportRefused,
    completeness_problems,
    read_lines,
    recognise,
    recognise_lines,
)
from plans.importing.docx import format_number
from plans.importing.table import parse_money, tasks_from_table
from plans.tests.importing_docx import build_docx

PLAN = """ỦY BAN NHÂN DÂN
HUYỆN BÌNH GIANG
CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc
---------------
Số: 255/KH-UBND
Bình Giang, ngày 05 tháng 01 năm 2025
KẾ HOẠCH
Tuyên truyền cải cách hành chính nhà nước
huyện Bình Giang năm 2025
Căn cứ Kế hoạch số 236/KH-UBND ngày 15/01/2025 của UBND tỉnh; Quyết định số 12/QĐ-UBND ngày 02/01/2025 \
của UBND huyện. Ủy ban nhân dân huyện ban hành Kế hoạch tuyên truyền như sau:
I. MỤC ĐÍCH, YÊU CẦU
1. Mục đích
a) Nâng cao nhận thức về cải cách hành chính.
b) Phát huy vai trò của báo chí.
2. Yêu cầu
- Tuyên truyền kịp thời, đầy đủ;
+ gắn với nhiệm vụ chính trị,
phù hợp với từng đối tượng.
- Bảo đảm hiệu quả.
II. NỘI DUNG TUYÊN TRUYỀN
1.1. Chủ trương của Đảng về cải cách hành chính:
a) Nghị quyết số 76/NQ-CP.
đ) Chương trình tổng thể.
Các nội dung khác theo chỉ đạo.
III. HÌNH THỨC
- Cổng thông tin điện tử.
IV. KINH PHÍ
Kinh phí từ nguồn cải cách hành chính năm 2025.
V. ĐỐI TƯỢNG
- Cán bộ, công chức.
VI. TỔ CHỨC THỰC HIỆN
1. Văn phòng HĐND và UBND huyện
- Chủ trì tổ chức thực hiện.
2. Phòng Nội vụ: Theo dõi, đôn đốc việc thực hiện.
3. Đề nghị Ủy ban Mặt trận Tổ quốc huyện:
Phối hợp tuyên truyền.
Trên đây là Kế hoạch tuyên truyền cải cách hành chính năm 2025./.
Nơi nhận:
- UBND tỉnh;
- Lưu: VT, NV.
TM. ỦY BAN NHÂN DÂN
KT. CHỦ TỊCH
PHÓ CHỦ TỊCH
Nhữ Văn Chuyên"""


def lines_of(text):
    return text.split("\n")


@pytest.fixture
def plan():
    return recognise_lines(lines_of(PLAN))


def flat(clauses, level=0):
    for clause in clauses:
        yield clause["marker_text"], clause["text"], level
        yield from flat(clause["children"], level + 1)


def test_header(plan):
    assert plan["issuer_lines"] == ["ỦY BAN NHÂN DÂN", "HUYỆN BÌNH GIANG"]
    assert (plan["number"], plan["number_text"], plan["symbol"]) == (255, "255", "KH-UBND")
    assert (plan["place"], plan["issue_date"], plan["status"]) == ("Bình Giang", "2025-01-05", "issued")
    assert plan["title"] == "Tuyên truyền cải cách hành chính nhà nước huyện Bình Giang năm 2025"
    assert (plan["kind"], plan["year_start"], plan["year_end"]) == ("yearly", 2025, 2025)
    assert plan["form"] == "standalone"
    # Quốc hiệu, tiêu ngữ, rule and tên loại are recognised and dropped, not unplaced
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in plan["dropped"] and "KẾ HOẠCH" in plan["dropped"]
    assert plan["unplaced"] == []


@pytest.mark.parametrize("number_line, date_line", [
    ("Số: /KH-UBND", "Bình Giang, ngày   tháng 01 năm 2025"),
    ("Số:      /KH-UBND", "Bình Giang, ngày ... tháng 01 năm 2025"),
])
def test_draft_header(number_line, date_line):
    plan = recognise_lines([number_line, date_line, "KẾ HOẠCH", "Tuyên truyền năm 2025", "I. MỤC ĐÍCH"])
    assert (plan["number"], plan["number_text"], plan["symbol"], plan["status"]) == (None, "", "KH-UBND", "draft")
    assert (plan["issue_date"], plan["draft_month"], plan["draft_year"]) == (None, 1, 2025)


def test_period_title():
    plan = recognise_lines(["Số: /KH-SGTVT", "Bình Định, ngày tháng năm 2022", "KẾ HOẠCH",
                            "Tuyên truyền giai đoạn 2021 - 2025", "I. MỤC ĐÍCH"])
    assert (plan["kind"], plan["year_start"], plan["year_end"]) == ("period", 2021, 2025)
    assert plan["draft_year"] == 2022 and "draft_month" not in plan


def test_basis_paragraph_split_into_items_and_lead_in(plan):
    assert plan["basis_style"] == "paragraph"
    assert [(b["verb"], b["text"]) for b in plan["basis"]] == [
        ("Căn cứ", "Kế hoạch số 236/KH-UBND ngày 15/01/2025 của UBND tỉnh"),
        ("Căn cứ", "Quyết định số 12/QĐ-UBND ngày 02/01/2025 của UBND huyện"),
    ]
    assert plan["basis_lead_in"] == "Ủy ban nhân dân huyện ban hành Kế hoạch tuyên truyền như sau:"


def test_basis_one_per_line_with_any_verb():
    plan = recognise_lines(["KẾ HOẠCH", "Tuyên truyền năm 2025", "Căn cứ Luật Tổ chức chính quyền địa phương;",
                            "Thực hiện Kế hoạch số 5/KH-UBND của UBND tỉnh;",
                            "Xét đề nghị của Trưởng phòng Nội vụ,",
                            "UBND huyện ban hành Kế hoạch như sau:", "I. MỤC ĐÍCH"])
    assert plan["basis_style"] == "lines"
    assert [b["verb"] for b in plan["basis"]] == ["Căn cứ", "Thực hiện", "Xét đề nghị của"]
    assert plan["basis"][2]["text"] == "Trưởng phòng Nội vụ"
    assert plan["basis_lead_in"] == "UBND huyện ban hành Kế hoạch như sau:"


def test_headings_roles_and_markers(plan):
    headings = plan["headings"]
    assert [(h["marker"], h["role"]) for h in headings] == [
        ("I.", "group"), ("II.", "content"), ("III.", "channel"), ("IV.", "funding"), ("V.", "other"),
        ("VI.", "duty")]
    assert [(c["marker"], c["text"], c["role"], c["level"]) for c in headings[0]["children"]] == [
        ("1.", "Mục đích", "purpose", 2), ("2.", "Yêu cầu", "requirement", 2)]


def test_clauses_markers_levels_and_continuations(plan):
    purpose, requirement = plan["headings"][0]["children"]
    assert list(flat(purpose["clauses"])) == [("a)", "Nâng cao nhận thức về cải cách hành chính.", 0),
                                              ("b)", "Phát huy vai trò của báo chí.", 0)]
    # "phù hợp …" starts in lower case: the broken line of the "+" clause
    assert list(flat(requirement["clauses"])) == [
        ("-", "Tuyên truyền kịp thời, đầy đủ;", 0),
        ("+", "gắn với nhiệm vụ chính trị, phù hợp với từng đối tượng.", 1),
        ("-", "Bảo đảm hiệu quả.", 0)]
    content = plan["headings"][1]
    assert list(flat(content["clauses"])) == [
        ("1.1.", "Chủ trương của Đảng về cải cách hành chính:", 0),
        ("a)", "Nghị quyết số 76/NQ-CP.", 1), ("đ)", "Chương trình tổng thể.", 1),
        ("", "Các nội dung khác theo chỉ đạo.", 2)]
    assert plan["headings"][3]["clauses"][0]["marker"] == "paragraph"


def test_responsibilities(plan):
    got = [(r["marker"], r["title"], r["is_request"], r["agency"], [d["text"] for d in r["duties"]])
           for r in plan["responsibilities"]]
    assert got == [
        ("1.", "Văn phòng HĐND và UBND huyện", False, None, ["Chủ trì tổ chức thực hiện."]),
        ("2.", "Phòng Nội vụ", False, None, ["Theo dõi, đôn đốc việc thực hiện."]),
        ("3.", "Ủy ban Mặt trận Tổ quốc huyện", True, None, ["Phối hợp tuyên truyền."]),
    ]


def test_closing_recipients_signer(plan):
    assert plan["closing_text"] == "Trên đây là Kế hoạch tuyên truyền cải cách hành chính năm 2025./."
    assert plan["recipients"] == ["UBND tỉnh", "Lưu: VT, NV"]
    assert plan["signer"] == {"authority": ["TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH"], "position": "PHÓ CHỦ TỊCH",
                              "name": "Nhữ Văn Chuyên"}


def test_completeness(plan):
    assert completeness_problems(lines_of(PLAN), plan) == []


def test_completeness_notices_a_lost_line(plan):
    plan["unplaced"].append("một dòng thêm")
    plan["headings"][0]["children"][0]["clauses"].pop()
    problems = completeness_problems(lines_of(PLAN), plan)
    assert problems and "missing" in problems[0] and "repeated" in problems[1]


def test_decision_form():
    plan = recognise_lines(["ỦY BAN NHÂN DÂN TỈNH X", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "KẾ HOẠCH",
                            "Tuyên truyền năm 2025",
                            "(Ban hành kèm theo Quyết định số 049/QĐ-UBND ngày 01/3/2025 của UBND tỉnh)",
                            "I. MỤC ĐÍCH"])
    assert plan["form"] == "decision"
    assert plan["decision"] == {"number": 49, "number_text": "049", "symbol": "QĐ-UBND", "date": "2025-03-01"}
    assert plan["title"] == "Tuyên truyền năm 2025"


WEB = """Trang chủ | Văn bản | Tải về
Kế hoạch 12/KH-UBND về tuyên truyền cải cách hành chính tỉnh Bến Tre năm 2025
Số hiệu | 12/KH-UBND |
Người ký | Trần Văn A |
ỦY
BAN NHÂN DÂN |
CỘNG
HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM |
TỈNH BẾN TRE | Độc lập - Tự do - Hạnh phúc
------- | ---------------
Số: 12/KH-UBND | Bến Tre, ngày 05 tháng 01 năm 2025 |
KẾ HOẠCH
TUYÊN TRUYỀN CẢI CÁCH HÀNH CHÍNH TỈNH BẾN TRE NĂM 2025
I. MỤC ĐÍCH
- Nâng cao nhận thức của cán bộ, công chức về"""


def test_web_copy():
    plan = recognise_lines(lines_of(WEB))
    assert plan["issuer_lines"] == ["ỦY BAN NHÂN DÂN", "TỈNH BẾN TRE"]
    assert (plan["number"], plan["symbol"], plan["issue_date"], plan["place"]) == (
        12, "KH-UBND", "2025-01-05", "Bến Tre")
    # the title's case comes from the page's own title line
    assert plan["title"] == "Tuyên truyền cải cách hành chính tỉnh Bến Tre năm 2025"
    assert plan["headings"][0]["clauses"][0]["text"] == "Nâng cao nhận thức của cán bộ, công chức về"
    assert "Trang chủ" in plan["unplaced"] and "Tải về" in plan["unplaced"]
    assert plan["source_metadata"][1] == ["Người ký", "Trần Văn A"]
    assert completeness_problems(lines_of(WEB), plan) == []


def test_caps_title_without_other_occurrence_keeps_place_and_acronyms():
    plan = recognise_lines(["Số: 1/KH-UBND", "Bến Tre, ngày 05 tháng 01 năm 2025", "KẾ HOẠCH",
                            "TUYÊN TRUYỀN CCHC TỈNH BẾN TRE NĂM 2025", "I. MỤC ĐÍCH"])
    assert plan["title"] == "Tuyên truyền CCHC tỉnh Bến Tre năm 2025"


def test_prose_duties_of_a_news_item():
    text = ("Theo kế hoạch, UBND tỉnh giao Sở Nội vụ thông tin kịp thời kết quả thực hiện công tác cải cách "
            "hành chính. Tổ chức tập huấn cho cán bộ làm công tác tuyên truyền. Văn phòng UBND tỉnh phối hợp với "
            "Sở Tư pháp cung cấp thông tin về thủ tục hành chính.")
    plan = recognise_lines([text])
    assert [(r["title"], len(r["duties"])) for r in plan["responsibilities"]] == [
        ("Sở Nội vụ", 2), ("Văn phòng UBND tỉnh", 1)]
    assert completeness_problems([text], plan) == []


APPENDIX_ROWS = [
    ["TT", "Nội dung", "Hình thức", "Cơ quan chủ trì", "Cơ quan phối hợp", "Thời gian thực hiện", "Sản phẩm",
     "Kinh phí (đồng)"],
    ["I", "Tuyên truyền trực quan", "", "", "", "", "", ""],
    ["1", "Đưa tin về CCHC", "Cổng TTĐT", "Văn phòng HĐND và UBND huyện", "Phòng Nội vụ",
     "Trước ngày 31/12/2025", "24 tin", "6.000.000"],
]


def test_appendix_as_lines():
    lines = lines_of(PLAN) + ["Phụ lục", "DANH MỤC NHIỆM VỤ"] + [" | ".join(row) + " |" for row in APPENDIX_ROWS]
    plan = recognise_lines(lines)
    task = plan["tasks"][0]
    assert (task["content"], task["lead_text"], task["coordinating_text"], task["budget"], task["deadline"]) == (
        "Đưa tin về CCHC", "Văn phòng HĐND và UBND huyện", "Phòng Nội vụ", 6000000, "2025-12-31")
    assert task["group"] == "I Tuyên truyền trực quan"
    assert plan["appendix"]["heading"] == ["Phụ lục", "DANH MỤC NHIỆM VỤ"]
    assert completeness_problems(lines, plan) == []


@pytest.mark.parametrize("text, value", [
    ("6.000.000", 6000000), ("6.000.000 đồng", 6000000), ("2.500.000,00", 2500000), ("6,5 triệu", 6500000),
    ("500.000đ", 500000), ("1.200", 1200), ("", None), ("Trong dự toán", None), ("15", 15),
])
def test_money(text, value):
    assert parse_money(text) == value


def test_table_that_is_not_an_appendix_is_refused():
    with pytest.raises(ImportRefused, match="không giống bảng phụ lục"):
        tasks_from_table([["Họ tên", "Ngày sinh", "Quê quán"], ["A", "1/1/1990", "Hà Nội"]])


# ---------------------------------------------------------------- files


def test_docx_typed_and_automatic_numbering_agree():
    typed = recognise(build_docx(lines_of(PLAN), "typed"), "kh.docx")
    auto = recognise(build_docx(lines_of(PLAN), "auto"), "kh.docx")
    assert typed["source"]["format"] == auto["source"]["format"] == "docx"
    for plan in (typed, auto):
        assert (plan["number"], plan["place"], plan["issue_date"]) == (255, "Bình Giang", "2025-01-05")
        assert [h["role"] for h in plan["headings"]] == ["group", "content", "channel", "funding", "other", "duty"]
        assert plan["recipients"] == ["UBND tỉnh", "Lưu: VT, NV"]
        assert plan["signer"]["name"] == "Nhữ Văn Chuyên"
        assert [r["title"] for r in plan["responsibilities"]][:2] == ["Văn phòng HĐND và UBND huyện", "Phòng Nội vụ"]
    # Word shows its own letters: a), b) … and e) where the typed text had đ)
    assert [c["marker_text"] for c in auto["headings"][1]["clauses"][0]["children"]] == ["a)", "b)"]
    assert auto["headings"][0]["children"][1]["clauses"][1]["marker_text"] == "-"


def test_docx_lines_from_numbering_xml():
    _, lines, _ = read_lines(build_docx(["I. MỤC ĐÍCH", "1. Mục đích", "a) Một.", "b) Hai.", "- Ba.", "+ Bốn.",
                                         "II. NỘI DUNG", "1. Nội dung", "1.1. Năm.", "1.2. Sáu.", "a) Bảy."],
                                        "auto"))
    assert lines == ["I. MỤC ĐÍCH", "1. Mục đích", "a) Một.", "b) Hai.", "- Ba.", "+ Bốn.", "II. NỘI DUNG",
                     "1. Nội dung", "1.1. Năm.", "1.2. Sáu.", "a) Bảy."]


def test_docx_list_styles_number_too():
    document = Document()
    document.add_paragraph("Một", style="List Number")
    document.add_paragraph("Hai", style="List Number")
    buffer = io.BytesIO()
    document.save(buffer)
    _, lines, _ = read_lines(buffer.getvalue())
    assert lines == ["1. Một", "2. Hai"]


def test_number_formats():
    assert [format_number(n, "lowerLetter") for n in (1, 4, 26, 27)] == ["a", "d", "z", "aa"]
    assert format_number(14, "upperRoman") == "XIV"


def test_docx_appendix_table():
    plan = recognise(build_docx(lines_of(PLAN), "typed", appendix_rows=APPENDIX_ROWS), "kh.docx")
    assert plan["tasks"][0]["budget"] == 6000000
    assert plan["tasks"][0]["lead_text"] == "Văn phòng HĐND và UBND huyện"


def test_docx_with_a_table_that_is_not_an_appendix_is_refused():
    data = build_docx(["KẾ HOẠCH", "Tuyên truyền"], appendix_rows=[["Họ tên", "Ngày sinh", "Quê quán"],
                                                                  ["A", "1/1/1990", "Hà Nội"]])
    with pytest.raises(ImportRefused, match="không giống bảng phụ lục"):
        recognise(data, "kh.docx")


def _pdf(html: str) -> bytes:
    import weasyprint

    return weasyprint.HTML(string=f"<html><body style='font-family: serif'>{html}</body></html>").write_pdf()


def test_pdf_with_text():
    html = "".join(f"<p>{line}</p>" for line in lines_of(PLAN))
    plan = recognise(_pdf(html), "kh.pdf")
    assert plan["source"]["format"] == "pdf"
    assert (plan["number"], plan["symbol"], plan["place"]) == (255, "KH-UBND", "Bình Giang")
    assert plan["signer"]["name"] == "Nhữ Văn Chuyên"
    assert len(plan["responsibilities"]) == 3


def test_pdf_encrypted_is_refused():
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO(_pdf("<p>Kế hoạch tuyên truyền cải cách hành chính năm 2025</p>"))))
    writer.encrypt("mật-khẩu")
    buffer = io.BytesIO()
    writer.write(buffer)
    with pytest.raises(ImportRefused, match="mã hóa"):
        recognise(buffer.getvalue(), "kh.pdf")


def test_pdf_scanned_is_refused():
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    with pytest.raises(ImportRefused, match="không có lớp chữ"):
        recognise(buffer.getvalue(), "scan.pdf")


@pytest.mark.parametrize("content, message", [
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00IHDR", "không phải tài liệu Word"),
    (b"\xff\xfe\x00\x01\x02", "không phải tài liệu Word"),
    (b"", "Tệp rỗng"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "định dạng cũ"),
])
def test_wrong_content_is_refused(content, message):
    with pytest.raises(ImportRefused, match=message):
        recognise(content, "kh.docx")


def test_zip_that_is_not_word_is_refused():
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("content.xml", "<x/>")
    with pytest.raises(ImportRefused, match="không phải tài liệu Word"):
        recognise(buffer.getvalue(), "kh.docx")


def test_too_big_is_refused():
    with pytest.raises(ImportRefused, match="quá lớn"):
        recognise(b"a" * (MAX_BYTES + 1), "kh.txt")


def test_text_is_chosen_by_content_nfc_and_control_characters():
    decomposed = "Số: 7/KH-UBND\r\nBình Giang, ngày 05 tháng 01 năm 2025\r\nKẾ HOẠCH\r\nTuyên\x07 truyền\u200b năm 2025"
    import unicodedata

    plan = recognise(unicodedata.normalize("NFD", decomposed).encode("utf-8"), "kh.docx")
    assert plan["source"]["format"] == "text"
    assert plan["place"] == "Bình Giang" and plan["title"] == "Tuyên truyền năm 2025"
    assert unicodedata.is_normalized("NFC", plan["title"])


def test_basis_sentence_with_lead_in_after_a_comma_and_inherited_roles():
    """From the Bến Tre plan 6119/KH-UBND (shared seed 001)."""
    plan = recognise_lines([
        "KẾ HOẠCH", "THỰC HIỆN CÔNG TÁC CẢI CÁCH HÀNH CHÍNH NĂM 2018",
        "Thực hiện Kế hoạch số 6010/KH-UBND ngày 17 tháng 11 năm 2015 của Ủy ban nhân dân tỉnh về việc thực hiện "
        "công tác cải cách hành chính (CCHC) giai đoạn 2016-2020, căn cứ vào những kết quả đạt được, Ủy ban nhân dân "
        "tỉnh xây dựng kế hoạch thực hiện công tác CCHC năm 2018, cụ thể như sau:",
        "II. NHIỆM VỤ VÀ GIẢI PHÁP CẢI CÁCH HÀNH CHÍNH", "1. Về cải cách thể chế", "- Rà soát văn bản."])
    assert plan["basis_style"] == "paragraph"
    assert plan["basis"][0]["text"].endswith("căn cứ vào những kết quả đạt được")
    assert plan["basis_lead_in"].startswith("Ủy ban nhân dân tỉnh xây dựng kế hoạch")
    assert plan["title"] == "Thực hiện công tác cải cách hành chính năm 2018"
    assert plan["headings"][0]["children"][0]["role"] == "content"
