"""Small secrets kept at rest in the database (a certificate's passphrase):
encrypted with Fernet under a key derived from settings (SECRETS_KEY, else
SECRET_KEY), never shown back. Rotating that setting makes the stored
secrets unreadable: they must be entered again."""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings


def _fernet() -> Fernet:
    secret = (getattr(settings, "SECRETS_KEY", "") or settings.SECRET_KEY).encode("utf-8")
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"cchc-portal", info=b"stored-secrets").derive(secret)
    return Fernet(base64.urlsafe_b64encode(key))


def secret_encrypt(value: bytes) -> str:
    return _fernet().encrypt(value).decode("ascii")


def secret_decrypt(token: str) -> bytes:
    """The stored secret; ValueError when it was encrypted under another key."""
    try:
        return _fernet().decrypt(token.encode("ascii"))
    except (InvalidToken, ValueError):
        raise ValueError("The stored secret cannot be decrypted with the current key") from None
