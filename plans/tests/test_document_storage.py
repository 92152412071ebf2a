"""An issued plan's stored DOCX/PDF through the storage API: made again when
its file is lost (it is derived data), kept by the orphan sweep while the
plan names it, and the same on S3-compatible storage."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone

from agencies.tests.factories import PASSWORD
from common.files import files_orphans
from common.tests.s3 import BUCKET, s3_storage
from plans.documents.storage import stored_name


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def s3(settings):
    with s3_storage(settings) as client:
        yield client


def _download(client, user, plan, fmt="docx"):
    assert client.login(username=user.username, password=PASSWORD)
    return client.get(reverse(f"plans:{fmt}", args=[plan.pk]))


def test_a_lost_document_of_an_issued_plan_is_made_again(client, personas, issued_plan, media):
    first = _download(client, personas.admin, issued_plan)
    name = stored_name(issued_plan, "docx")
    assert first.status_code == 200 and default_storage.exists(name)
    default_storage.delete(name)
    again = client.get(reverse("plans:docx", args=[issued_plan.pk]))
    assert again.status_code == 200 and again.content[:4] == b"PK\x03\x04"
    assert default_storage.exists(name)


def test_the_orphan_sweep_keeps_documents_plans_name_and_removes_stale_ones(personas, issued_plan, media):
    current = default_storage.save(stored_name(issued_plan, "docx"), ContentFile(b"PK\x03\x04 current"))
    stale = default_storage.save(f"documents/plans/{issued_plan.pk}-v0-255.docx", ContentFile(b"PK old version"))
    result = files_orphans(delete=True, now=timezone.now() + dt.timedelta(days=2))
    assert result.deleted == [stale] and default_storage.exists(current)
    # Not made yet (the PDF): derived data, not a fault to report.
    assert result.missing == []


def test_issued_plan_documents_on_s3(client, personas, issued_plan, s3):
    first = _download(client, personas.admin, issued_plan)
    name = stored_name(issued_plan, "docx")
    assert first.status_code == 200
    keys = [item["Key"] for item in s3.list_objects_v2(Bucket=BUCKET).get("Contents", [])]
    assert keys == [name]
    assert s3.get_object(Bucket=BUCKET, Key=name)["Body"].read() == first.content
    s3.delete_object(Bucket=BUCKET, Key=name)
    again = client.get(reverse("plans:docx", args=[issued_plan.pk]))
    assert again.status_code == 200 and again.content[:4] == b"PK\x03\x04"
    assert s3.head_object(Bucket=BUCKET, Key=name)["ContentLength"] == len(again.content)
