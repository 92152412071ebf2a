"""Issue 14: the agency import never runs out of memory and stores no NUL."""

import io
import re
import time
import tracemalloc
import zipfile

import openpyxl
import pytest

from agencies.models import Agency
from agencies.services import AgencyImportError, agency_import

from .test_import_export import HEADER, csv_bytes

pytestmark = pytest.mark.django_db


def xlsx_declaring(ref: str, rows: list[list], empty_rows: int = 0) -> bytes:
    """A small real XLSX whose sheet says its used range is `ref` (any tool may
    write that), with `empty_rows` row elements holding no cell after the data:
    a few kilobytes once zipped."""
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = re.sub(rb'<dimension ref="[^"]*"/>', f'<dimension ref="{ref}"/>'.encode(), data)
                assert ref.encode() in data
                empty = "".join(f'<row r="{n}"/>' for n in range(len(rows) + 1, len(rows) + 1 + empty_rows))
                data = data.replace(b"</sheetData>", empty.encode() + b"</sheetData>")
            target.writestr(item, data)
    return out.getvalue()


ROWS = [HEADER.split(","), ["T", "Ủy ban nhân dân tỉnh Thử", "", "tỉnh", "UBND", "Thử", "", "", "", "", "", ""]]


def test_an_xlsx_declaring_a_huge_range_is_read_in_little_memory():
    content = xlsx_declaring("A1:XFD4000", ROWS, empty_rows=3998)
    assert len(content) < 20_000
    tracemalloc.start()
    started = time.perf_counter()
    try:
        result = agency_import(content=content, filename="don-vi.xlsx")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    seconds = time.perf_counter() - started
    print(f"\nXLSX of {len(content)} bytes declaring A1:XFD4000: peak {peak / 2**20:.1f} MiB, {seconds:.2f} s")
    assert result.created == 1
    assert peak < 20 * 2**20  # was 444 MB, growing with the declared rows


def test_an_xlsx_with_more_rows_than_the_limit_is_refused_in_vietnamese(settings):
    settings.AGENCY_IMPORT_MAX_ROWS = 5
    rows = [ROWS[0]] + [[f"X{i}", f"Xã {i}", "", "xã", "UBND", "Một", "", "", "", "", "", ""] for i in range(6)]
    with pytest.raises(AgencyImportError) as refused:
        agency_import(content=xlsx_declaring("A1:L7", rows), filename="don-vi.xlsx")
    assert refused.value.errors == ["Tệp có quá nhiều dòng: mỗi lần nhập tối đa 5 đơn vị; hãy chia tệp ra."]
    with pytest.raises(AgencyImportError) as refused:
        agency_import(content=csv_bytes(*[",".join(row) for row in rows[1:]]), filename="don-vi.csv")
    assert "quá nhiều dòng" in refused.value.errors[0]
    assert not Agency.objects.exists()
    settings.AGENCY_IMPORT_MAX_ROWS = 6
    assert agency_import(content=xlsx_declaring("A1:L7", rows), filename="don-vi.xlsx").created == 6


def test_nul_and_control_characters_past_the_first_2_kb_of_a_csv_are_not_stored():
    filler = [f"X{i},Ủy ban nhân dân xã số {i},,xã,UBND,Một,T,,,,," for i in range(60)]
    content = csv_bytes("T,Ủy ban nhân dân tỉnh Thử,,tỉnh,UBND,Thử,,,,,,", *filler,
                        "N,Ủy ban\x00 nhân dân xã\x01 Cuối,,xã,UBND,Cuo\u0302\u0301i\x00,T,,,,,")
    assert content.index(b"\x00") > 2048
    agency_import(content=content, filename="don-vi.csv")
    last = Agency.objects.get(code="N")
    assert (last.name, last.place_name) == ("Ủy ban nhân dân xã Cuối", "Cuối")


def test_nul_in_any_cell_is_not_stored():
    """Whatever the reader (CSV, XLSX, a later one), cell text loses its control characters."""
    from agencies.services import agency_import_rows

    agency_import_rows(rows=[ROWS[0], ["T\x00", "Ủy ban nhân dân tỉnh\x00\x1f Thử", "", "tỉnh", "UBND", "Thử"]])
    assert Agency.objects.get(code="T").name == "Ủy ban nhân dân tỉnh Thử"
