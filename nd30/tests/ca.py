"""A test certificate authority built with `cryptography`: root →
intermediate → leaf signing certificates, and PKCS#12 files of the leaves.
Nothing is fetched; the certificates carry no AIA, CRL or OCSP addresses."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import (
    BestAvailableEncryption,
    Encoding,
    NoEncryption,
    pkcs12,
)
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)
YEAR = dt.timedelta(days=365)


@dataclass
class Issued:
    cert: x509.Certificate
    key: ec.EllipticCurvePrivateKey

    @property
    def pem(self) -> bytes:
        return self.cert.public_bytes(Encoding.PEM)

    @property
    def der(self) -> bytes:
        return self.cert.public_bytes(Encoding.DER)


def _name(common_name: str, organisation: str) -> x509.Name:
    return x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
        x509.NameAttribute(NameOID.COMMON_NAME, common_name),
    ])


def issue(*, common_name: str, organisation: str, issuer: Issued | None = None, ca: bool = False,
          not_before: dt.datetime | None = None, not_after: dt.datetime | None = None) -> Issued:
    """A certificate signed by `issuer` (self-signed when None)."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = _name(common_name, organisation)
    not_before = not_before or NOW - YEAR
    not_after = not_after or NOW + 5 * YEAR
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer.cert.subject if issuer else subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    )
    if issuer is not None:
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.key.public_key()), critical=False)
    if ca:
        builder = builder.add_extension(x509.KeyUsage(
            digital_signature=True, content_commitment=False, key_encipherment=False, data_encipherment=False,
            key_agreement=False, key_cert_sign=True, crl_sign=True, encipher_only=False, decipher_only=False,
        ), critical=True)
    else:
        builder = builder.add_extension(x509.KeyUsage(
            digital_signature=True, content_commitment=True, key_encipherment=False, data_encipherment=False,
            key_agreement=False, key_cert_sign=False, crl_sign=False, encipher_only=False, decipher_only=False,
        ), critical=True).add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False)
    cert = builder.sign((issuer.key if issuer else key), hashes.SHA256())
    return Issued(cert=cert, key=key)


@dataclass
class TestCA:
    root: Issued
    intermediate: Issued

    def leaf(self, *, organisation: str = "UBND tỉnh Hải Dương", common_name: str = "UBND tỉnh Hải Dương",
             not_before: dt.datetime | None = None, not_after: dt.datetime | None = None) -> Issued:
        return issue(common_name=common_name, organisation=organisation, issuer=self.intermediate,
                     not_before=not_before, not_after=not_after)

    def pkcs12(self, leaf: Issued, passphrase: bytes | None = b"mat-khau-thu") -> bytes:
        encryption = BestAvailableEncryption(passphrase) if passphrase else NoEncryption()
        return pkcs12.serialize_key_and_certificates(
            b"ky-so", leaf.key, leaf.cert, [self.intermediate.cert], encryption)


def build_ca(name: str = "CA thử nghiệm CCHC") -> TestCA:
    root = issue(common_name=f"{name} - gốc", organisation=name, ca=True,
                 not_before=NOW - 3 * YEAR, not_after=NOW + 10 * YEAR)
    intermediate = issue(common_name=f"{name} - trung gian", organisation=name, issuer=root, ca=True,
                         not_before=NOW - 2 * YEAR, not_after=NOW + 8 * YEAR)
    return TestCA(root=root, intermediate=intermediate)
