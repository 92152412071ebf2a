"""A real S3-compatible server for tests: moto's, in a thread on a free port.
`s3_storage(settings)` points default_storage at a fresh bucket there and
yields a boto3 client to look inside it; a test module wraps it in a fixture."""

from __future__ import annotations

import socket
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

BUCKET = "cchc-test-files"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def s3_storage(settings) -> Iterator:
    """moto's S3 server on a free port, a bucket in it, and the default
    storage pointed at it (pytest-django's `settings` restores it after)."""
    boto3 = pytest.importorskip("boto3")
    from moto.server import ThreadedMotoServer

    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    # moto keeps its buckets per process, across server instances: start empty.
    urllib.request.urlopen(urllib.request.Request(f"{endpoint}/moto-api/reset", method="POST"), timeout=10).close()
    client = boto3.client("s3", endpoint_url=endpoint, aws_access_key_id="cchc-test", aws_secret_access_key="cchc-test",
                          region_name="us-east-1")
    client.create_bucket(Bucket=BUCKET)
    settings.STORAGES = settings.STORAGES | {"default": {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {"bucket_name": BUCKET, "endpoint_url": endpoint, "access_key": "cchc-test",
                    "secret_key": "cchc-test", "region_name": "us-east-1", "addressing_style": "path",
                    "signature_version": "s3v4", "default_acl": "private", "file_overwrite": False},
    }}
    try:
        yield client
    finally:
        server.stop()
