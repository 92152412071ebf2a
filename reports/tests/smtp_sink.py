"""A real SMTP server for the fault tests (aiosmtpd), run as its own process:
`python -m reports.tests.smtp_sink --port N --out FILE [--delay S]`. Each
message it accepts appends its Message-ID to FILE (one line) *before* the
250 answer, after which it waits `--delay` seconds: a client killed in that
wait never hears the acceptance, as when a worker dies between the server's
acceptance and its database commit. Stopping the process is an outage."""

import argparse
import signal
import threading
from email.parser import BytesHeaderParser
from pathlib import Path

from aiosmtpd.controller import Controller


class Recorder:
    def __init__(self, out: Path, delay: float):
        self.out, self.delay = out, delay
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        import asyncio

        headers = BytesHeaderParser().parsebytes(envelope.original_content or envelope.content)
        with self.lock, self.out.open("a") as out:
            out.write(f"{headers.get('Message-ID', '<none>').strip()}\n")
        if self.delay:
            await asyncio.sleep(self.delay)
        return "250 Message accepted for delivery"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--delay", type=float, default=0.0)
    args = parser.parse_args()
    controller = Controller(Recorder(args.out, args.delay), hostname="127.0.0.1", port=args.port)
    controller.start()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    print("ready", flush=True)
    stop.wait()
    controller.stop()


if __name__ == "__main__":
    main()
