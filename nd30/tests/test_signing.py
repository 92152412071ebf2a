"""nd30.signing on real PDFs with a test CA built here: sign with the
visible box, verify, and every refusal with its reason. Nothing is fetched."""

from __future__ import annotations

import datetime as dt
import io
import subprocess

import pytest

from nd30.signing import SigningError, format_time, pdf_sign, pdf_verify, pkcs12_info
from nd30.tests.ca import NOW, YEAR, build_ca

HTML = """<html lang="vi"><body><h1>KẾ HOẠCH</h1><p>Tuyên truyền cải cách hành chính năm 2026.</p>
<div style="margin-left:50%;text-align:center;font-weight:bold"><div>TM. ỦY BAN NHÂN DÂN</div><div>CHỦ TỊCH</div>
<div style="height:28mm"></div><div>Nguyễn Văn Ánh</div></div></body></html>"""
PASS = b"mat-khau-thu"
ORG = "UBND tỉnh Hải Dương"


@pytest.fixture(scope="module")
def ca():
    return build_ca()


@pytest.fixture(scope="module")
def pdf():
    from nd30.pdf import html_to_pdf

    return html_to_pdf(HTML)


@pytest.fixture(scope="module")
def signed(ca, pdf):
    leaf = ca.leaf()
    return pdf_sign(pdf, pkcs12=ca.pkcs12(leaf), passphrase=PASS, organisation=ORG, when=NOW,
                    anchor="Nguyễn Văn Ánh")


def pdftotext(data: bytes) -> str:
    return subprocess.run(["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True).stdout.decode()


def test_signed_pdf_verifies_with_who_and_when(ca, signed):
    check = pdf_verify(signed, trust_roots=[ca.root.pem])
    assert check.ok, check.reason
    assert check.signer_organisation == ORG
    assert check.signer_name == ORG
    assert check.signed_at == NOW
    assert check.coverage == "ENTIRE_FILE"
    assert check.signatures == 1
    assert check.certificate_serial
    assert check.summary.startswith("Chữ ký số hợp lệ: UBND tỉnh Hải Dương, ký lúc ")
    # DER trust roots work too.
    assert pdf_verify(signed, trust_roots=[ca.root.der]).ok


def test_visible_box_prints_organisation_and_time_on_the_signature_page(signed):
    text = pdftotext(signed)
    assert "Ký bởi: UBND tỉnh Hải Dương" in text
    assert f"Thời gian ký: {format_time(NOW)}" in text
    assert format_time(NOW).endswith("+07:00")
    # The box sits between the signer's title and name (the signing space).
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    title = next(i for i, line in enumerate(lines) if "CHỦ TỊCH" in line)
    name = next(i for i, line in enumerate(lines) if "Nguyễn Văn Ánh" in line)
    box = next(i for i, line in enumerate(lines) if "Ký bởi:" in line)
    assert title < box < name


def test_format_time_is_vietnam_time():
    assert format_time(dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)) == "02/01/2026 10:04:05 +07:00"


def test_one_byte_changed_in_the_signed_range_is_refused(ca, signed):
    changed = bytearray(signed)
    position = signed.index(b"Tuy") if b"Tuy" in signed else 300
    changed[position] ^= 0x01
    check = pdf_verify(bytes(changed), trust_roots=[ca.root.pem])
    assert not check.ok
    assert "thay đổi sau khi ký" in check.reason or "không đọc được" in check.reason.lower()


def test_one_byte_changed_in_page_content_is_refused_as_modified(ca, signed):
    # A byte inside the first page's content stream (compressed): the digest no longer matches.
    start = signed.index(b"stream", signed.index(b"/Length")) + 10
    changed = bytearray(signed)
    changed[start] ^= 0xFF
    check = pdf_verify(bytes(changed), trust_roots=[ca.root.pem])
    assert not check.ok
    assert "thay đổi sau khi ký" in check.reason


def test_content_added_in_an_incremental_update_after_signing_is_refused(ca, signed):
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(io.BytesIO(signed))
    stream = generic.StreamObject(stream_data=b"0 0 1 rg 100 100 200 50 re f")
    writer.add_stream_to_page(0, writer.add_object(stream))
    out = io.BytesIO()
    writer.write(out)
    check = pdf_verify(out.getvalue(), trust_roots=[ca.root.pem])
    assert not check.ok
    assert "sửa đổi sau khi ký" in check.reason


def test_unsigned_pdf_is_refused(ca, pdf):
    check = pdf_verify(pdf, trust_roots=[ca.root.pem])
    assert not check.ok
    assert check.reason == "Tệp PDF không có chữ ký số."


def test_not_a_pdf_and_a_broken_pdf_are_refused(ca, signed):
    assert pdf_verify(b"PK\x03\x04 a zip", trust_roots=[ca.root.pem]).reason == "Tệp không phải PDF."
    broken = pdf_verify(signed[: len(signed) // 3], trust_roots=[ca.root.pem])
    assert not broken.ok and broken.reason


def test_signed_by_another_ca_is_refused_as_untrusted(ca, pdf):
    other = build_ca("CA không tin cậy")
    data = pdf_sign(pdf, pkcs12=other.pkcs12(other.leaf()), passphrase=PASS, organisation=ORG, when=NOW)
    check = pdf_verify(data, trust_roots=[ca.root.pem])
    assert not check.ok
    assert "không do tổ chức chứng thực tin cậy cấp" in check.reason
    assert "không xác lập được chuỗi chứng thư đến chứng thư gốc tin cậy" in check.reason
    assert check.signer_organisation == ORG  # who claimed to sign is still told


def test_no_trust_roots_configured_is_refused(signed):
    check = pdf_verify(signed, trust_roots=[])
    assert not check.ok and "chứng thư gốc tin cậy" in check.reason


def test_certificate_expired_at_signing_time_is_refused(ca, pdf):
    from pyhanko.sign import signers

    leaf = ca.leaf(not_before=NOW - 2 * YEAR, not_after=NOW - dt.timedelta(days=1))
    # pdf_sign refuses to sign with it ...
    with pytest.raises(SigningError, match="không có hiệu lực"):
        pdf_sign(pdf, pkcs12=ca.pkcs12(leaf), passphrase=PASS, organisation=ORG, when=NOW)
    # ... and a PDF another tool signed with it today is refused.
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    signer = signers.SimpleSigner.load_pkcs12_data(ca.pkcs12(leaf), other_certs=[], passphrase=PASS)
    out = signers.sign_pdf(IncrementalPdfFileWriter(io.BytesIO(pdf)),
                           signers.PdfSignatureMetadata(field_name="Sig1"), signer=signer)
    check = pdf_verify(out.getvalue(), trust_roots=[ca.root.pem])
    assert not check.ok
    assert "không có hiệu lực tại thời điểm ký" in check.reason


def test_certificate_expired_since_still_vouches_for_what_it_signed_then(ca, pdf):
    leaf = ca.leaf(not_before=NOW - 2 * YEAR, not_after=NOW - dt.timedelta(days=30))
    when = NOW - dt.timedelta(days=60)
    data = pdf_sign(pdf, pkcs12=ca.pkcs12(leaf), passphrase=PASS, organisation=ORG, when=when)
    check = pdf_verify(data, trust_roots=[ca.root.pem])
    assert check.ok, check.reason
    assert check.signed_at == when


def test_signing_time_in_the_future_is_refused(ca, pdf):
    when = NOW + dt.timedelta(days=2)
    data = pdf_sign(pdf, pkcs12=ca.pkcs12(ca.leaf()), passphrase=PASS, organisation=ORG, when=when)
    check = pdf_verify(data, trust_roots=[ca.root.pem], now=NOW)
    assert not check.ok and "tương lai" in check.reason


def test_pkcs12_wrong_passphrase_or_garbage_is_refused(ca):
    p12 = ca.pkcs12(ca.leaf())
    with pytest.raises(SigningError, match="sai mật khẩu"):
        pkcs12_info(p12, b"sai")
    with pytest.raises(SigningError):
        pkcs12_info(b"not a pkcs12", PASS)
    assert pkcs12_info(p12, PASS).organisation == ORG
    no_pass = ca.pkcs12(ca.leaf(), passphrase=None)
    assert pkcs12_info(no_pass, None).common_name == ORG


def test_two_signatures_verify_and_the_last_is_reported(ca, signed):
    second = pdf_sign(signed, pkcs12=ca.pkcs12(ca.leaf(organisation="Văn phòng UBND tỉnh",
                                                      common_name="Văn thư")),
                      passphrase=PASS, organisation="Văn phòng UBND tỉnh", when=NOW + dt.timedelta(seconds=5))
    check = pdf_verify(second, trust_roots=[ca.root.pem], now=NOW + dt.timedelta(minutes=1))
    assert check.ok, check.reason
    assert check.signatures == 2
    assert check.signer_organisation == "Văn phòng UBND tỉnh"


def test_a_form_field_added_after_the_last_signature_is_refused(ca, signed):
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields

    writer = IncrementalPdfFileWriter(io.BytesIO(signed))
    fields.append_signature_field(writer, fields.SigFieldSpec(sig_field_name="Them", on_page=0, box=(10, 10, 60, 30)))
    out = io.BytesIO()
    writer.write(out)
    check = pdf_verify(out.getvalue(), trust_roots=[ca.root.pem])
    assert not check.ok and "sửa đổi sau khi ký" in check.reason


def test_expected_refusals_do_not_print_pyhanko_tracebacks(ca, pdf, caplog, settings):
    import logging

    from nd30.log_filters import ExpectedSignatureRefusals

    assert "signature_refusals" in settings.LOGGING["handlers"]["console"]["filters"]
    other = build_ca("CA lạ")
    signed = pdf_sign(pdf, pkcs12=other.pkcs12(other.leaf()), passphrase=PASS, organisation=ORG, when=NOW)
    with caplog.at_level(logging.INFO):
        assert not pdf_verify(signed, trust_roots=[ca.root.pem]).ok
    noisy = [record for record in caplog.records if record.name.startswith("pyhanko") and record.exc_info]
    assert noisy  # pyHanko does log it...
    quiet = ExpectedSignatureRefusals()
    assert not any(quiet.filter(record) for record in noisy)  # ...and the console drops it
    # Real errors stay.
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        import sys

        real = logging.LogRecord("pyhanko.sign.validation.generic_cms", logging.WARNING, __file__, 1, "x", None,
                                 sys.exc_info())
    assert quiet.filter(real)
    error = logging.LogRecord("pyhanko.sign.validation.generic_cms", logging.ERROR, __file__, 1, "x", None,
                              noisy[0].exc_info)
    assert quiet.filter(error)
    assert quiet.filter(logging.LogRecord("plans", logging.WARNING, __file__, 1, "x", None, noisy[0].exc_info))
