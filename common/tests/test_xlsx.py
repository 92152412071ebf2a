"""Every XLSX the portal writes: dates shown dd/mm/yyyy, readable widths."""

import datetime as dt
import io

import openpyxl

from common.text import file_name_part
from common.xlsx import column_widths, workbook_bytes, xlsx_row


def read_back(content: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(content))


def test_dates_show_day_month_year_and_columns_fit_their_text():
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Đơn vị", "Hạn nộp", "Ngày nộp"])
    sheet.append(xlsx_row(["UBND xã Bình Giang, thành phố Hải Phòng", dt.date(2026, 6, 19),
                           dt.datetime(2026, 6, 18, 9, 30)]))
    sheet = read_back(workbook_bytes(book)).active
    assert sheet["B2"].number_format == "DD/MM/YYYY"
    assert sheet["C2"].number_format == "DD/MM/YYYY HH:MM"
    assert sheet["B2"].value == dt.datetime(2026, 6, 19)
    assert sheet.column_dimensions["A"].width == len("UBND xã Bình Giang, thành phố Hải Phòng") + 2
    assert sheet.column_dimensions["B"].width >= 10


def test_a_width_the_export_chose_is_kept_and_long_text_is_capped():
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.column_dimensions["A"].width = 48
    sheet.append(["ngắn", "x" * 500])
    sheet = read_back(workbook_bytes(book)).active
    assert sheet.column_dimensions["A"].width == 48
    assert sheet.column_dimensions["B"].width == 60


def test_write_only_sheets_get_formatted_dates_and_fixed_widths():
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("Đơn vị")
    column_widths(sheet, [30, 12])
    sheet.append(xlsx_row(["=HYPERLINK(1)", dt.date(2026, 3, 20)], sheet))
    sheet = read_back(workbook_bytes(book))["Đơn vị"]
    assert sheet["A1"].value == "'=HYPERLINK(1)"  # still formula-safe
    assert sheet["B1"].number_format == "DD/MM/YYYY"
    assert sheet.column_dimensions["A"].width == 30


def test_download_names_are_ascii_and_say_what_the_file_is():
    assert file_name_part("Quý III/2026") == "Quy-III-2026"
    assert file_name_part("Sở Nội vụ thành phố Hải Phòng") == "So-Noi-vu-thanh-pho-Hai-Phong"
    assert file_name_part("Đường An – 2021-2025") == "Duong-An-2021-2025"
    assert file_name_part("") == ""
