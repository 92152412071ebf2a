"""The signed copy (bản ký số) of an issued plan: a PDF signed outside the
portal with the leader's token and uploaded, or the portal's PDF signed
with the agency's certificate. Either way it is verified first
(nd30.signing.pdf_verify against the trust roots the administrators set)
and stored only when it verifies; it then replaces the portal's PDF in
every download (plans.documents.storage.plan_document_bytes)."""

from __future__ import annotations

import hashlib
import io
import logging
import unicodedata

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils import timezone

from agencies.signing import (
    certificate_names_agency,
    signing_certificate_for,
    signing_passphrase,
    trust_roots_pem,
)
from common.files import delete_on_commit, file_save, files_atomic
from nd30.signing import SignatureCheck, SigningError, pdf_sign, pdf_verify

from ..documents.storage import plan_document_bytes, plan_document_filename
from ..models import Plan, PlanSignedCopy

logger = logging.getLogger(__name__)

MAX_SIGNED_PDF_BYTES = 20 * 1024 * 1024
NOT_ISSUED = "Chỉ kế hoạch đã ban hành mới có bản ký số."


def signature_check(data: bytes) -> SignatureCheck:
    """Verify any PDF against the configured trust roots (the «Kiểm tra chữ
    ký» page); nothing is stored."""
    if len(data) > MAX_SIGNED_PDF_BYTES:
        return SignatureCheck(ok=False, reason=f"Tệp quá lớn (tối đa {MAX_SIGNED_PDF_BYTES // (1024 * 1024)} MB).",
                              checked=False)
    return pdf_verify(data, trust_roots=trust_roots_pem())


NOT_THIS_PLAN = ("Tệp đã ký không phải văn bản của kế hoạch này: {detail}. "
                 "Hãy tải bản PDF của kế hoạch, ký số rồi tải lên.")


def _page_text(page) -> str:
    """The text of a page's content (not its annotations: a signature's
    visible box is a widget annotation), NFC and without any whitespace, so
    that only the words count."""
    return "".join(unicodedata.normalize("NFC", page.extract_text() or "").split())


def _page_texts(data: bytes) -> list[str] | None:
    from pypdf import PdfReader

    try:
        return [_page_text(page) for page in PdfReader(io.BytesIO(data)).pages]
    except Exception:
        logger.info("Could not read the text of a PDF", exc_info=True)
        return None


_SKIPPED_STREAM_KEYS = frozenset({"/Length", "/Filter", "/DecodeParms"})


def _page_fingerprint(page, cache: dict) -> bytes:
    """A digest of what a page's text is read from: its decoded content and
    everything its resources hold (fonts and their Unicode maps). Equal
    digests mean equal text, read without extracting it (pypdf's text
    extraction takes a good part of a second per page)."""
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, StreamObject

    def digest(value, depth: int = 0) -> bytes:
        if depth > 40:
            return b"deep"
        if isinstance(value, IndirectObject):
            key = (value.idnum, value.generation)
            if key not in cache:
                cache[key] = b""  # a cycle reads as empty
                cache[key] = digest(value.get_object(), depth + 1)
            return cache[key]
        if isinstance(value, StreamObject):
            head = b"".join(name.encode() + digest(item, depth + 1) for name, item in sorted(value.items())
                            if name not in _SKIPPED_STREAM_KEYS)
            return hashlib.sha256(b"S" + head + hashlib.sha256(value.get_data()).digest()).digest()
        if isinstance(value, DictionaryObject):
            return hashlib.sha256(b"D" + b"".join(name.encode() + digest(item, depth + 1)
                                                  for name, item in sorted(value.items()))).digest()
        if isinstance(value, ArrayObject):
            return hashlib.sha256(b"A" + b"".join(digest(item, depth + 1) for item in value)).digest()
        return hashlib.sha256(b"V" + repr(value).encode()).digest()

    contents = page.get_contents()
    body = contents.get_data() if contents is not None else b""
    resources = page.get("/Resources")
    return hashlib.sha256(hashlib.sha256(body).digest() + (digest(resources) if resources is not None else b"")).digest()


def _first_differing_page(ours: bytes, theirs: bytes) -> int | None:
    """The number (from 1) of the first page of `theirs` whose text differs
    from the same page of `ours`; None when every page prints the same.
    ValueError when a file cannot be read."""
    from pypdf import PdfReader

    try:
        our_pages = PdfReader(io.BytesIO(ours)).pages
        their_pages = PdfReader(io.BytesIO(theirs)).pages
        our_cache: dict = {}
        their_cache: dict = {}
        for number, (our_page, their_page) in enumerate(zip(our_pages, their_pages, strict=False), start=1):
            # Signed by incremental update, a page keeps its content and
            # resources: the same digest. Otherwise (a tool that rewrote the
            # file), the text decides.
            if _page_fingerprint(our_page, our_cache) == _page_fingerprint(their_page, their_cache):
                continue
            if _page_text(our_page) != _page_text(their_page):
                return number
        return None
    except Exception as error:
        logger.info("Could not compare the pages of a signed PDF: %s", error)
        raise ValueError("unreadable") from None


def _same_document(plan: Plan, data: bytes) -> None:
    """Raise ValidationError({"file": …}) unless every page of `data` prints
    the same text as the portal's PDF of `plan` (the document the head
    downloads, signs and uploads)."""
    from pypdf import PdfReader

    ours = plan_document_bytes(plan=plan, fmt="pdf", signed=False)
    try:
        our_count = len(PdfReader(io.BytesIO(ours)).pages)
        their_count = len(PdfReader(io.BytesIO(data)).pages)
        differing = _first_differing_page(ours, data)
    except Exception:
        raise ValidationError({"file": "Không đọc được nội dung các trang của tệp đã ký để đối chiếu với kế hoạch."}) \
            from None
    if differing is not None:
        raise ValidationError({"file": NOT_THIS_PLAN.format(detail=f"trang {differing} khác với bản PDF do cổng in")})
    if their_count != our_count:
        raise ValidationError({"file": NOT_THIS_PLAN.format(
            detail=f"tệp có {their_count} trang, bản PDF do cổng in có {our_count} trang")})


def _check_signed_pdf(plan: Plan, data: bytes) -> SignatureCheck:
    """Raise ValidationError({"file": reason}) unless `data` is a signed
    PDF of `plan` that verifies."""
    if not data.startswith(b"%PDF-"):
        raise ValidationError({"file": "Tệp không phải PDF."})
    if len(data) > MAX_SIGNED_PDF_BYTES:
        raise ValidationError({"file": f"Tệp quá lớn (tối đa {MAX_SIGNED_PDF_BYTES // (1024 * 1024)} MB)."})
    check = pdf_verify(data, trust_roots=trust_roots_pem())
    if not check.ok:
        raise ValidationError({"file": check.reason})
    _same_document(plan, data)
    return check


def signer_warning(plan: Plan, signed: PlanSignedCopy | SignatureCheck | None) -> str:
    """A warning when the certificate of the signed copy (stored or just
    checked) does not name the plan's issuer; empty when it does. Computed
    from the signer fields, so older copies get it too."""
    if signed is None:
        return ""
    organisation = signed.signer_organisation.strip()
    common_name = signed.signer_name.strip()
    if certificate_names_agency(plan.issuer, organisation, common_name):
        return ""
    shown = organisation or common_name or "(không ghi tên)"
    return (f"Lưu ý: chứng thư số ghi tổ chức “{shown}”, không phải cơ quan ban hành “{plan.issuer.name}”. "
            "Kiểm tra lại người ký.")


def _store(plan: Plan, data: bytes, check: SignatureCheck, *, user, source: str) -> PlanSignedCopy:
    # Two uploads at once: the plan's row makes them take turns (the second replaces the first).
    Plan.objects.select_for_update().filter(pk=plan.pk).values_list("pk", flat=True).first()
    try:
        copy = PlanSignedCopy.objects.select_for_update().get(plan=plan)
        old_name = copy.file.name
    except PlanSignedCopy.DoesNotExist:
        copy = PlanSignedCopy(plan=plan)
        old_name = ""
    name = plan_document_filename(plan, "pdf").removesuffix(".pdf") + "-ky-so.pdf"
    file_save(copy.file, name, ContentFile(data))
    copy.sha256 = hashlib.sha256(data).hexdigest()
    copy.size = len(data)
    copy.source = source
    copy.signer_name = check.signer_name[:255]
    copy.signer_organisation = check.signer_organisation[:255]
    copy.signed_at = check.signed_at
    copy.certificate_serial = check.certificate_serial[:80]
    copy.certificate_not_before = check.certificate_not_before
    copy.certificate_not_after = check.certificate_not_after
    copy.verified_ok = check.ok
    copy.verification_reason = check.summary
    copy.verified_at = timezone.now()
    copy.created_by = user
    copy.save()
    if old_name and old_name != copy.file.name:
        delete_on_commit(copy.file.storage, old_name)
    plan.signed_copy = copy  # the instance now serves it
    return copy


def plan_signed_copy_upload(*, plan: Plan, user, data: bytes) -> PlanSignedCopy:
    """A PDF signed outside the portal: checked (PDF, size, signature
    verifies, every page prints the same text as the portal's PDF) and stored as the
    plan's signed copy, replacing the one before. ValidationError
    ({"file": reason in Vietnamese}) and nothing written otherwise."""
    if plan.status != Plan.Status.ISSUED:
        raise ValidationError({"file": NOT_ISSUED})
    check = _check_signed_pdf(plan, data)
    with files_atomic():
        return _store(plan, data, check, user=user, source=PlanSignedCopy.Source.UPLOADED)


def plan_sign_available(plan: Plan) -> bool:
    """Whether the issuer has a certificate the portal may sign with."""
    return plan.status == Plan.Status.ISSUED and signing_certificate_for(plan.issuer) is not None


def plan_sign_with_agency_certificate(*, plan: Plan, user) -> PlanSignedCopy:
    """Sign the portal's PDF of the issued plan with its issuer's
    certificate (visible box: organisation and time, above the signer's
    name), verify it as any upload, and store it as the signed copy."""
    if plan.status != Plan.Status.ISSUED:
        raise ValidationError(NOT_ISSUED)
    certificate = signing_certificate_for(plan.issuer)
    if certificate is None:
        raise ValidationError("Đơn vị chưa được cấu hình chứng thư số để cổng ký.")
    try:
        with certificate.file.open("rb") as stored:
            pkcs12 = stored.read()
        passphrase = signing_passphrase(certificate)
    except (OSError, ValueError):
        logger.exception("Signing certificate of agency %s cannot be read", plan.issuer_id)
        raise ValidationError("Không đọc được chứng thư số của đơn vị; đề nghị quản trị hệ thống cấu hình lại.") from None
    try:
        data = pdf_sign(plan_document_bytes(plan=plan, fmt="pdf", signed=False), pkcs12=pkcs12,
                        passphrase=passphrase, organisation=certificate.organisation or str(plan.issuer),
                        when=timezone.now(), anchor=plan.signer_name or None,
                        location=plan.place or "")
    except SigningError as error:
        raise ValidationError(error.message) from None
    check = pdf_verify(data, trust_roots=trust_roots_pem())
    if not check.ok:
        raise ValidationError(f"Bản vừa ký không qua kiểm tra: {check.reason} "
                              "Đề nghị quản trị hệ thống kiểm tra chứng thư gốc tin cậy.")
    with files_atomic():
        return _store(plan, data, check, user=user, source=PlanSignedCopy.Source.PORTAL)
