"""`manage.py import_plan FILE --issuer CODE [--save]`."""

import io

import pytest
from django.core.management import CommandError, call_command

from plans.models import Plan

from .test_import_views import SOURCE


def run(*args):
    out = io.StringIO()
    call_command("import_plan", *args, stdout=out)
    return out.getvalue()


def test_it_prints_what_it_recognised_and_writes_nothing_without_save(tmp_path, tree):
    path = tmp_path / "ke-hoach.txt"
    path.write_text(SOURCE, encoding="utf-8")
    output = run(str(path), "--issuer", tree["district"].code)
    assert "Số, ký hiệu: 049/KH-UBND" in output and "[other] II. ĐỐI TƯỢNG" in output
    assert "Trách nhiệm: 1. Phòng Nội vụ → D-NV" in output
    assert not Plan.objects.exists()


def test_save_writes_a_draft_with_its_headings_as_written(tmp_path, tree):
    path = tmp_path / "ke-hoach.txt"
    path.write_text("Trang chủ | Tải về\n" + SOURCE, encoding="utf-8")
    output = run(str(path), "--issuer", tree["district"].code, "--save")
    plan = Plan.objects.get()
    assert f"Đã lưu dự thảo #{plan.pk}" in output
    assert plan.status == Plan.Status.DRAFT and plan.number is None and plan.keep_markers
    assert "Tải về" in plan.unplaced_text
    assert plan.responsibilities.get(title="Phòng Nội vụ").agency == tree["home_affairs"]


@pytest.mark.parametrize(("content", "issuer", "message"), [
    (SOURCE.encode(), "KHONG-CO", "Không có đơn vị mã KHONG-CO"),
    (b"\xd0\xcf\x11\xe0" + b"\x00" * 32, "D", "Tệp Word định dạng cũ (.doc)"),
])
def test_bad_input_stops_with_one_vietnamese_line(tmp_path, tree, content, issuer, message):
    path = tmp_path / "kh.doc"
    path.write_bytes(content)
    with pytest.raises(CommandError, match=message.replace("(", r"\(").replace(")", r"\)").replace(".", r"\.")):
        run(str(path), "--issuer", issuer)
    assert not Plan.objects.exists()
