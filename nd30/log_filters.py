"""Logging filters for the digital signature checks.

pyHanko logs a warning with a full traceback each time a certificate path
cannot be built or validated ("Failed to build path…"): for the portal that
is an expected refusal (an untrusted, expired or revoked certificate), which
nd30.signing.pdf_verify already turns into a Vietnamese reason. The filter
drops those records; pyHanko's errors and anything else still get through."""

from __future__ import annotations

import logging


def _expected_errors() -> tuple[type[BaseException], ...]:
    from pyhanko_certvalidator import errors

    return (errors.PathError, errors.ValidationError, errors.CRLValidationError, errors.OCSPValidationError)


class ExpectedSignatureRefusals(logging.Filter):
    """On a handler: False for a pyHanko warning (or less) about a
    certificate that does not validate."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not record.name.startswith(("pyhanko.", "pyhanko_certvalidator.")) or record.levelno >= logging.ERROR:
            return True
        error = record.exc_info[1] if record.exc_info else None
        return error is None or not isinstance(error, _expected_errors())
