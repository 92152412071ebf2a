"""A mail backend for the worker tests: the first FLAKY_MAIL_FAILURES sends
fail as an SMTP server dropping the connection would, then mail is written
to files like Django's file backend. Stands in for an unreliable SMTP server,
which does not run on this machine."""

import os
from pathlib import Path
from smtplib import SMTPServerDisconnected

from django.core.mail.backends.filebased import EmailBackend


class FlakyFileBackend(EmailBackend):
    def send_messages(self, email_messages):
        counter = Path(os.environ["FLAKY_MAIL_COUNTER"])
        failures = int(os.environ.get("FLAKY_MAIL_FAILURES", "0"))
        seen = int(counter.read_text()) if counter.exists() else 0
        counter.write_text(str(seen + 1))
        if seen < failures:
            raise SMTPServerDisconnected("Connection unexpectedly closed (test)")
        return super().send_messages(email_messages)
