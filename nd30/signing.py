"""Digital signatures (ký số) on official documents, with pyHanko: sign a
PDF with a PKCS#12 certificate under the visible box Vietnamese agencies
use (organisation, time), and verify a signed PDF against given trust roots.

Pure functions on bytes: no model, no storage. Nothing is ever fetched
(no OCSP, CRL or AIA: `allow_fetching=False`, soft revocation checks).

The visible box is drawn by WeasyPrint (the fonts the documents use, with
Vietnamese glyphs; pyHanko's own OpenType support needs HarfBuzz bindings
the portal does not ship) and imported by pyHanko as the widget's
appearance."""

from __future__ import annotations

import datetime as dt
import io
import logging
import uuid
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding, pkcs12
from django.utils.html import escape

logger = logging.getLogger(__name__)
T = TypeVar("T")

VN_TZ = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
# The box, in PDF points (1 pt = 1/72 in): about 7.4 × 2 cm.
BOX_WIDTH = 210
BOX_HEIGHT = 56
# Clock skew accepted between the signer's computer and ours.
FUTURE_TOLERANCE = dt.timedelta(minutes=5)


class SigningError(ValueError):
    """The certificate cannot sign (bad file or passphrase, no key, expired):
    `message` is for the user, in Vietnamese."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _outside_event_loop(function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """pyHanko's synchronous calls run their own event loop (asyncio.run):
    in a thread that already runs one (an async view, a test driving a
    browser) they go to a thread of their own."""
    import asyncio

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return function(*args, **kwargs)
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(function, *args, **kwargs).result()


# Certificates ---------------------------------------------------------------------

def certificate_load(data: bytes) -> x509.Certificate:
    """A certificate from PEM or DER bytes; ValueError when it is neither."""
    data = data.strip() if data.lstrip().startswith(b"-----") else data
    if data.startswith(b"-----BEGIN"):
        certs = x509.load_pem_x509_certificates(data)
        if len(certs) != 1:
            raise ValueError("expected one certificate")
        return certs[0]
    return x509.load_der_x509_certificate(data)


def _name_attr(name: x509.Name, oid: x509.ObjectIdentifier) -> str:
    values = name.get_attributes_for_oid(oid)
    return str(values[0].value) if values else ""


@dataclass(frozen=True)
class CertificateInfo:
    common_name: str
    organisation: str
    serial: str  # hex, upper case
    not_before: dt.datetime
    not_after: dt.datetime
    is_ca: bool
    sha256: str


def certificate_info(cert: x509.Certificate) -> CertificateInfo:
    from cryptography.hazmat.primitives import hashes

    try:
        is_ca = bool(cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca)
    except x509.ExtensionNotFound:
        is_ca = False
    return CertificateInfo(
        common_name=_name_attr(cert.subject, x509.NameOID.COMMON_NAME),
        organisation=_name_attr(cert.subject, x509.NameOID.ORGANIZATION_NAME),
        serial=format(cert.serial_number, "X"),
        not_before=cert.not_valid_before_utc,
        not_after=cert.not_valid_after_utc,
        is_ca=is_ca,
        sha256=cert.fingerprint(hashes.SHA256()).hex(),
    )


def pkcs12_info(pkcs12_data: bytes, passphrase: bytes | None) -> CertificateInfo:
    """The signing certificate inside a PKCS#12 file; SigningError when the
    file cannot be opened with the passphrase or holds no key."""
    try:
        key, cert, _extra = pkcs12.load_key_and_certificates(pkcs12_data, passphrase or None)
    except (ValueError, TypeError) as error:
        logger.info("PKCS#12 refused: %s", error)
        raise SigningError("Không mở được tệp chứng thư số (PKCS#12): tệp hỏng hoặc sai mật khẩu.") from None
    if key is None or cert is None:
        raise SigningError("Tệp PKCS#12 không chứa khóa bí mật và chứng thư số của người ký.")
    return certificate_info(cert)


# Signing --------------------------------------------------------------------------

def format_time(when: dt.datetime) -> str:
    """"30/11/2026 18:44:09 +07:00": the time as printed in the box."""
    local = when.astimezone(VN_TZ)
    offset = local.strftime("%z")
    return f"{local:%d/%m/%Y %H:%M:%S} {offset[:3]}:{offset[3:]}"


def stamp_lines(organisation: str, when: dt.datetime) -> list[str]:
    return [f"Ký bởi: {organisation}", f"Thời gian ký: {format_time(when)}"]


def _stamp_pdf(lines: list[str], width: float, height: float) -> bytes:
    """A one-page PDF the size of the box: a red frame and the lines."""
    import weasyprint

    from .fetcher import RefusingURLFetcher
    from .pdf import _font_config

    body = "".join(f"<p>{escape(line)}</p>" for line in lines)
    css = (
        f"@page {{ size: {width}pt {height}pt; margin: 0 }}"
        "html, body { margin: 0; padding: 0 }"
        # A block with its frame inside the page (a table's frame overflowed
        # its right edge); the lines centred by flex.
        ".box { position: absolute; top: 0; right: 0; bottom: 0; left: 0; border: 1.2pt solid #c00000;"
        " display: flex; flex-direction: column; justify-content: center; padding: 4pt 6pt; color: #c00000;"
        " font-family: 'Liberation Serif', 'Times New Roman', serif; font-size: 10.5pt; line-height: 1.25 }"
        "p { margin: 0 } p:first-child { font-weight: bold }"
    )
    html = (f'<html lang="vi"><head><meta charset="utf-8"><style>{css}</style></head>'
            f'<body><div class="box">{body}</div></body></html>')
    document = weasyprint.HTML(string=html, base_url=None, url_fetcher=RefusingURLFetcher())
    return document.write_pdf(font_config=_font_config())


def _anchor_box(pdf: bytes, anchor: str | None) -> tuple[int, tuple[float, float, float, float]]:
    """Where the box goes: above the text `anchor` (the signer's name under
    the signing space) on the last page that prints it, centred on it; else
    the bottom right of the last page."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf))
    pages = reader.pages
    last = len(pages) - 1
    if anchor:
        needle = " ".join(anchor.split())
        for index in range(last, -1, -1):
            page = pages[index]
            found: list[tuple[float, float, float]] = []

            def visit(text: str, cm: list[float], tm: list[float], font: object, size: float,
                      found: list[tuple[float, float, float]] = found) -> None:
                if text.strip() and " ".join(text.split()).startswith(needle[: max(len(text.strip()), 1)]) \
                        and needle.startswith(" ".join(text.split())):
                    x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
                    y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
                    found.append((x, y, float(size) * abs(cm[0] or 1)))

            try:
                if needle not in " ".join(page.extract_text(visitor_text=visit).split()):
                    continue
            except Exception:  # an odd page: fall back to the fixed box
                logger.info("Could not read page %s for the signature anchor", index, exc_info=True)
                break
            if found:
                x, y, _size = found[-1]
                width = float(page.mediabox.width)
                # The name is centred under the signature: centre the box on the column.
                centre = min(max(x + len(needle) * 3.5, BOX_WIDTH / 2 + 10), width - BOX_WIDTH / 2 - 10)
                bottom = y + 18
                return index, (centre - BOX_WIDTH / 2, bottom, centre + BOX_WIDTH / 2, bottom + BOX_HEIGHT)
    page = pages[last]
    width = float(page.mediabox.width)
    return last, (width - BOX_WIDTH - 40, 40, width - 40, 40 + BOX_HEIGHT)


def pdf_sign(pdf: bytes, *, pkcs12: bytes, passphrase: bytes | None, organisation: str, when: dt.datetime,
             anchor: str | None = None, reason: str = "Ký số văn bản ban hành",
             location: str = "") -> bytes:
    """`pdf` signed (PAdES, SHA-256) with the key and certificate in
    `pkcs12`, the signing time `when` in the signature, and a visible box
    with `organisation` and the time: above `anchor` (the signer's name
    printed under the signing space) when found, else at the bottom right of
    the last page. SigningError (Vietnamese message) when it cannot sign."""
    from pyhanko.pdf_utils.content import ImportedPdfPage
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign import fields, signers
    from pyhanko.sign.signers.pdf_signer import PdfSigner
    from pyhanko.stamp import StaticStampStyle

    info = pkcs12_info(pkcs12, passphrase)
    if not (info.not_before <= when <= info.not_after):
        raise SigningError(
            f"Chứng thư số không có hiệu lực vào lúc ký {format_time(when)} "
            f"(hiệu lực từ {format_time(info.not_before)} đến {format_time(info.not_after)})."
        )
    signer = signers.SimpleSigner.load_pkcs12_data(pkcs12, other_certs=[], passphrase=passphrase or None)
    try:
        page_index, box = _anchor_box(pdf, anchor)
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    except Exception as error:
        logger.info("Unreadable PDF to sign: %s", error)
        raise SigningError("Không đọc được tệp PDF cần ký.") from None
    stamp_pdf = _stamp_pdf(stamp_lines(organisation, when), BOX_WIDTH, BOX_HEIGHT)

    class _ImportedBytes(ImportedPdfPage):
        def render(self) -> bytes:  # the page from memory, not from a file name
            import binascii

            from pyhanko.pdf_utils.layout import BoxConstraints

            xobj = self._ensure_writer.import_page_as_xobject(PdfFileReader(io.BytesIO(stamp_pdf)), page_ix=0)
            name = b"/Import" + binascii.hexlify(uuid.uuid4().bytes)
            self.resources.xobject[name.decode("ascii")] = xobj
            x1, y1, x2, y2 = xobj.get_object()["/BBox"]
            self.box = BoxConstraints(width=abs(x1 - x2), height=abs(y1 - y2))
            return name + b" Do"

    # A field of its own: a document may already carry other signatures.
    field_name = f"KySo{uuid.uuid4().hex[:8]}"
    style = StaticStampStyle(background=_ImportedBytes(""), border_width=0)
    meta = signers.PdfSignatureMetadata(
        field_name=field_name, md_algorithm="sha256", reason=reason, location=location or None,
        subfilter=fields.SigSeedSubFilter.PADES, name=info.common_name or organisation,
    )

    class _TimedSigner(PdfSigner):
        def init_signing_session(self, pdf_out, existing_fields_only=False):
            session = super().init_signing_session(pdf_out, existing_fields_only=existing_fields_only)
            # The signing time in the signed attributes is `when` (what the box prints).
            session.system_time = when
            return session

    pdf_signer = _TimedSigner(
        meta, signer=signer, stamp_style=style,
        new_field_spec=fields.SigFieldSpec(sig_field_name=field_name, on_page=page_index,
                                           box=tuple(int(round(v)) for v in box)),  # type: ignore[arg-type]
    )
    output = io.BytesIO()
    _outside_event_loop(pdf_signer.sign_pdf, writer, output=output)
    return output.getvalue()


# Verifying ------------------------------------------------------------------------

@dataclass(frozen=True)
class SignatureCheck:
    """What the portal tells about a signed PDF. `reason`: why it is
    refused (empty when ok); the signer fields come from the last signature."""

    ok: bool
    reason: str = ""
    signer_name: str = ""
    signer_organisation: str = ""
    signed_at: dt.datetime | None = None
    certificate_serial: str = ""
    certificate_not_before: dt.datetime | None = None
    certificate_not_after: dt.datetime | None = None
    coverage: str = ""
    signatures: int = 0
    # False when the file could not be checked at all (not a PDF, unreadable,
    # too large, no trust roots configured): not a verdict on a signature.
    checked: bool = True

    @property
    def message(self) -> str:
        """The verdict in one sentence, for pages."""
        if self.ok:
            return self.summary
        if not self.checked:
            return f"Không kiểm tra được: {self.reason[:1].lower()}{self.reason[1:]}"
        return self.reason

    @property
    def summary(self) -> str:
        if not self.ok:
            return self.reason
        who = self.signer_organisation or self.signer_name
        when = format_time(self.signed_at) if self.signed_at else ""
        return f"Chữ ký số hợp lệ: {who}, ký lúc {when}."


def _refused(reason: str, **known: object) -> SignatureCheck:
    return SignatureCheck(ok=False, reason=reason, **known)  # type: ignore[arg-type]


def _signing_time(embedded: Any) -> dt.datetime | None:
    """The signing time the signer states: the CMS signingTime attribute,
    else the signature dictionary's /M."""
    from pyhanko.sign.general import find_unique_cms_attribute

    try:
        value = find_unique_cms_attribute(embedded.signer_info["signed_attrs"], "signing_time").native
    except Exception:
        value = embedded.self_reported_timestamp
    if isinstance(value, dt.datetime) and value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value if isinstance(value, dt.datetime) else None


def pdf_verify(pdf: bytes, *, trust_roots: list[bytes], now: dt.datetime | None = None) -> SignatureCheck:
    """Verify every signature in `pdf`: the signed bytes unchanged, the last
    signature covering the whole file (or only further signatures and
    validation data added after an earlier one), each certificate chained to
    one of `trust_roots` (PEM or DER) and valid at the time it signed (that
    time not in the future). Never raises on bad input."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.diff_analysis import ModificationLevel
    from pyhanko.sign.validation import SignatureCoverageLevel, validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    now = now or dt.datetime.now(dt.UTC)
    if not pdf.startswith(b"%PDF-"):
        return _refused("Tệp không phải PDF.", checked=False)
    roots = []
    for data in trust_roots:
        try:
            roots.append(asn1_x509.Certificate.load(certificate_load(data).public_bytes(Encoding.DER)))
        except ValueError:
            logger.warning("A trust root could not be read; skipped")
    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        embedded_signatures = list(reader.embedded_regular_signatures)
    except Exception as error:
        logger.info("Unreadable PDF to verify: %s", error)
        return _refused("Tệp PDF bị hỏng hoặc không đúng định dạng.", checked=False)
    if not embedded_signatures:
        return _refused("Tệp PDF không có chữ ký số.")
    if not roots:
        return _refused("Cổng chưa được cấu hình chứng thư gốc tin cậy để kiểm tra chữ ký số.", checked=False)
    last: SignatureCheck | None = None
    for position, embedded in enumerate(embedded_signatures, start=1):
        label = "Chữ ký số" if len(embedded_signatures) == 1 else f"Chữ ký số thứ {position}"
        try:
            cert = embedded.signer_cert
            subject = cert.subject.native
            known: dict[str, object] = {
                "signer_name": str(subject.get("common_name", "")),
                "signer_organisation": str(subject.get("organization_name", "")),
                "certificate_serial": format(cert.serial_number, "X"),
                "certificate_not_before": cert["tbs_certificate"]["validity"]["not_before"].native,
                "certificate_not_after": cert["tbs_certificate"]["validity"]["not_after"].native,
                "signatures": len(embedded_signatures),
            }
            signed_at = _signing_time(embedded)
            known["signed_at"] = signed_at
            if signed_at is None:
                return _refused(f"{label} không hợp lệ: chữ ký không ghi thời điểm ký.", **known)
            if signed_at > now + FUTURE_TOLERANCE:
                return _refused(f"{label} không hợp lệ: thời điểm ký ghi trong chữ ký ở tương lai "
                                f"({format_time(signed_at)}).", **known)
            not_before = known["certificate_not_before"]
            not_after = known["certificate_not_after"]
            assert isinstance(not_before, dt.datetime) and isinstance(not_after, dt.datetime)
            if not (not_before <= signed_at <= not_after):
                return _refused(
                    f"{label} không hợp lệ: chứng thư số không có hiệu lực tại thời điểm ký {format_time(signed_at)} "
                    f"(hiệu lực từ {format_time(not_before)} đến {format_time(not_after)}).", **known)
            # The chain is checked at the time of signing (a certificate
            # that expired since still vouches for what it signed then).
            context = ValidationContext(trust_roots=roots, allow_fetching=False, revocation_mode="soft-fail",
                                        moment=signed_at)
            status = _outside_event_loop(validate_pdf_signature, embedded, signer_validation_context=context)
        except Exception as error:
            logger.info("Signature %s could not be verified: %s", position, error, exc_info=True)
            return _refused(f"{label} không kiểm tra được: dữ liệu chữ ký hỏng hoặc không được hỗ trợ.")
        known["coverage"] = status.coverage.name if status.coverage is not None else ""
        if not status.intact or not status.valid:
            return _refused(f"{label} không hợp lệ: nội dung văn bản đã bị thay đổi sau khi ký.", **known)
        if status.coverage == SignatureCoverageLevel.ENTIRE_FILE:
            pass
        elif status.coverage == SignatureCoverageLevel.ENTIRE_REVISION:
            # After the last signature only validation data (DSS, timestamps)
            # may follow; after an earlier one, also the later signatures.
            allowed = ModificationLevel.LTA_UPDATES if position == len(embedded_signatures) \
                else ModificationLevel.FORM_FILLING
            level = status.modification_level
            if level is None or level > allowed or status.docmdp_ok is False:
                return _refused(f"{label} không hợp lệ: văn bản đã bị sửa đổi sau khi ký "
                                "(có phần được thêm vào sau chữ ký).", **known)
        else:
            return _refused(f"{label} không hợp lệ: chữ ký không bao trùm toàn bộ văn bản.", **known)
        if status.revoked:
            return _refused(f"{label} không hợp lệ: chứng thư số đã bị thu hồi.", **known)
        if not status.trusted:
            return _refused(f"{label} không hợp lệ: chứng thư số không do tổ chức chứng thực tin cậy cấp "
                            "(không xác lập được chuỗi chứng thư đến chứng thư gốc tin cậy, hoặc một chứng thư "
                            "trong chuỗi đã hết hạn hay không được dùng để ký).", **known)
        if not status.bottom_line:
            return _refused(f"{label} không hợp lệ.", **known)
        last = SignatureCheck(ok=True, **known)  # type: ignore[arg-type]
    if last is None:
        return _refused("Tệp PDF không có chữ ký số.")
    return last
