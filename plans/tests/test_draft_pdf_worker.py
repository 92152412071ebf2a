"""A draft's PDF through a real broker and a real Celery worker process (not
eager mode), sharing an S3-compatible bucket with the test: a save enqueues
the task once it commits, the worker makes both parts and the joined file,
and the next download reads that file without rendering."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.db import connection
from django.urls import reverse

from agencies.tests.factories import PASSWORD
from common.tests.db import database_url
from common.tests.s3 import BUCKET, s3_storage
from plans import services
from plans.documents import storage
from plans.documents.pdf import plan_pdf_parts
from plans.documents.storage import draft_pdf_name
from plans.models import Area, Channel, Plan
from plans.reference import reference_lists_ensure
from plans.selectors import plan_with_contents
from plans.tasks import plan_pdf_prepare_task

ROOT = Path(__file__).resolve().parents[2]



@pytest.fixture(autouse=True)
def reference_lists(transactional_db):
    """Before the draft: transactional tests empty the tables between them."""
    reference_lists_ensure(Area, Channel)


@pytest.fixture
def s3(settings):
    with s3_storage(settings) as client:
        yield client


@pytest.fixture
def worker(settings, s3, tmp_path):
    """One worker process on the test queue, storing into the test's bucket."""
    options = settings.STORAGES["default"]["OPTIONS"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")} | {
        "DJANGO_SETTINGS_MODULE": "cchc_portal.settings_test",
        "DATABASE_URL": database_url(),
        "STORAGE_S3_BUCKET": BUCKET,
        "STORAGE_S3_ENDPOINT_URL": options["endpoint_url"],
        "STORAGE_S3_ACCESS_KEY_ID": options["access_key"],
        "STORAGE_S3_SECRET_ACCESS_KEY": options["secret_key"],
        "STORAGE_S3_REGION": options["region_name"],
    }
    queue = plan_pdf_prepare_task.app.conf.task_default_queue
    log_path = tmp_path / "worker.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "cchc_portal", "worker", "--pool=solo", "-Q", queue,
             "-n", f"pdf-{uuid.uuid4().hex[:6]}@%h", "--loglevel=INFO", "--without-gossip", "--without-mingle",
             "--without-heartbeat"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )
    time.sleep(1)
    assert process.poll() is None, log_path.read_text()
    yield log_path
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
    # SQLite: reopen after the worker wrote the file, before the flush.
    connection.close()


@pytest.mark.django_db(transaction=True)
def test_the_worker_makes_the_pdf_after_a_save_and_the_download_reads_it(client, personas, draft, s3, worker,
                                                                         monkeypatch):
    plan = Plan.objects.get(pk=draft.pk)
    fields = {"title": "Tuyên truyền cải cách hành chính, bản gửi thẩm định", "kind": plan.kind,
              "year_start": plan.year_start, "year_end": plan.year_end}
    services.plan_update(plan=plan, lock_version=plan.lock_version, fields=fields, basis=[])  # commits: enqueued
    name = draft_pdf_name(plan.pk, plan_pdf_parts(plan_with_contents().get(pk=plan.pk)))
    deadline = time.monotonic() + 120
    while not storage.default_storage.exists(name):
        assert time.monotonic() < deadline, worker.read_text()
        time.sleep(0.5)
    keys = {item["Key"] for item in s3.list_objects_v2(Bucket=BUCKET)["Contents"]}
    assert {key.rsplit("/", 1)[1].split("-")[0] for key in keys} == {"body", "appendix", "plan"}

    def refuse(*args, **kwargs):
        raise AssertionError("the stored PDF must be served, not rendered")

    monkeypatch.setattr(storage, "pdf_part_render", refuse)
    assert client.login(username=personas.drafter.username, password=PASSWORD)
    response = client.get(reverse("plans:pdf", args=[plan.pk]))
    assert response.status_code == 200
    assert response.content == s3.get_object(Bucket=BUCKET, Key=name)["Body"].read()
