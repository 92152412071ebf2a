"""Certificates for digital signatures (ký số): an agency's signing
certificate (PKCS#12, its passphrase encrypted at rest) and the trust roots
signed PDFs must chain to. Reads and writes in one place for the admin
pages, the plans app's signing and its verification."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives.serialization import Encoding
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils import timezone

from common.files import delete_on_commit, file_save, files_atomic
from common.secrets import secret_decrypt, secret_encrypt
from common.text import fold
from nd30.signing import CertificateInfo, SigningError, certificate_info, certificate_load, pkcs12_info

from .models import Agency, SigningCertificate, TrustRoot

MAX_CERTIFICATE_BYTES = 64 * 1024
_NOT_WORD = re.compile(r"[^0-9a-z]+")
_UBND = re.compile(r"\buy ban nhan dan\b")


def _agency_name_key(name: str) -> str:
    """"Ủy ban nhân dân huyện Một", "UBND Huyện Một", "UỶ BAN NHÂN DÂN HUYỆN MỘT"
    -> "ubnd huyen mot": no diacritics, case, punctuation or spacing, and
    the usual abbreviation of the people's committee."""
    text = " ".join(_NOT_WORD.sub(" ", fold(name)).split())
    return _UBND.sub("ubnd", text)


def certificate_names_agency(agency: Agency, *names: str) -> bool:
    """Whether one of `names` (a certificate's organisation, common name)
    names `agency` (its full or short name, «UBND» for «Ủy ban nhân dân»).
    A hint for the reader, never a refusal: certificates spell names in many ways."""
    wanted = {_agency_name_key(value) for value in (agency.name, agency.short_name) if value.strip()}
    return any(_agency_name_key(name) in wanted for name in names if name and name.strip())
SIGNING_PREFIX = "signing/certificates/"


def _bounded(data: bytes, label: str) -> None:
    if not data:
        raise ValidationError(f"Tệp {label} rỗng.")
    if len(data) > MAX_CERTIFICATE_BYTES:
        raise ValidationError(f"Tệp {label} quá lớn (tối đa {MAX_CERTIFICATE_BYTES // 1024} KB).")


# Trust roots ----------------------------------------------------------------------

@dataclass(frozen=True)
class RootData:
    pem: str
    subject_name: str
    sha256: str
    not_before: dt.datetime
    not_after: dt.datetime


def trust_root_read(data: bytes) -> RootData:
    """A CA certificate from PEM or DER bytes, checked; ValidationError
    (Vietnamese) when it is not one."""
    _bounded(data, "chứng thư")
    try:
        cert = certificate_load(data)
    except ValueError:
        raise ValidationError("Tệp không phải chứng thư số X.509 (PEM hoặc DER).") from None
    info = certificate_info(cert)
    if not info.is_ca:
        raise ValidationError("Chứng thư này không phải chứng thư của tổ chức cung cấp dịch vụ chứng thực (CA).")
    if info.not_after < timezone.now():
        raise ValidationError("Chứng thư gốc đã hết hạn.")
    subject = info.common_name or info.organisation or cert.subject.rfc4514_string()
    return RootData(pem=cert.public_bytes(Encoding.PEM).decode("ascii"), subject_name=subject[:255],
                    sha256=info.sha256, not_before=info.not_before, not_after=info.not_after)


def trust_roots_pem() -> list[bytes]:
    """The active trust roots, as PEM."""
    return [pem.encode("ascii") for pem in TrustRoot.objects.filter(is_active=True).values_list("pem", flat=True)]


def trust_root_add(*, data: bytes, name: str = "") -> TrustRoot:
    root = trust_root_read(data)
    if TrustRoot.objects.filter(sha256=root.sha256).exists():
        raise ValidationError("Chứng thư gốc này đã có trong danh sách.")
    return TrustRoot.objects.create(name=name or root.subject_name, pem=root.pem, subject_name=root.subject_name,
                                    sha256=root.sha256, not_before=root.not_before, not_after=root.not_after)


# An agency's signing certificate --------------------------------------------------

def signing_certificate_check(data: bytes, passphrase: bytes | None) -> CertificateInfo:
    """The certificate inside a PKCS#12 file, checked; ValidationError
    (Vietnamese) when it cannot sign now."""
    _bounded(data, "chứng thư số")
    try:
        info = pkcs12_info(data, passphrase)
    except SigningError as error:
        raise ValidationError(error.message) from None
    now = timezone.now()
    if not (info.not_before <= now <= info.not_after):
        raise ValidationError("Chứng thư số đã hết hạn hoặc chưa có hiệu lực.")
    return info


def signing_certificate_fill(certificate: SigningCertificate, *, data: bytes | None, passphrase: bytes | None,
                             user: Any = None) -> SigningCertificate:
    """Store a new PKCS#12 file (when `data`) and/or passphrase in
    `certificate` and save it (files_atomic: a failure leaves no file).
    With no new file, the stored one is checked with the new passphrase."""
    if data is None:
        if not certificate.pk or not certificate.file:
            raise ValidationError("Chưa chọn tệp chứng thư số.")
        with certificate.file.open("rb") as stored:
            data = stored.read()
        if passphrase is None:
            passphrase = signing_passphrase(certificate)
        new_file = False
    else:
        new_file = True
    info = signing_certificate_check(data, passphrase)
    old_name = certificate.file.name if certificate.pk else ""
    with files_atomic():
        if new_file:
            file_save(certificate.file, f"{info.serial}.p12", ContentFile(data))
        certificate.passphrase_encrypted = secret_encrypt(passphrase) if passphrase else ""
        certificate.subject_name = (info.common_name or info.organisation)[:255]
        certificate.serial = info.serial[:80]
        certificate.not_before = info.not_before
        certificate.not_after = info.not_after
        if not certificate.organisation:
            certificate.organisation = (info.organisation or info.common_name)[:255]
        certificate.updated_by = user
        certificate.save()
        if new_file and old_name and old_name != certificate.file.name:
            delete_on_commit(certificate.file.storage, old_name)
    return certificate


def signing_passphrase(certificate: SigningCertificate) -> bytes | None:
    if not certificate.passphrase_encrypted:
        return None
    return secret_decrypt(certificate.passphrase_encrypted)


def signing_certificate_for(agency: Agency) -> SigningCertificate | None:
    """The agency's active signing certificate, if an administrator set one."""
    return SigningCertificate.objects.filter(agency=agency, is_active=True).first()


def signing_certificate_names() -> list[str]:
    """For the orphan sweep."""
    return list(SigningCertificate.objects.values_list("file", flat=True))
