"""Evidence files and the storage API: names that fit (a 400-character name
was an OSError after the narrative had been saved), one transaction for the
draft and its file, files written and removed only with their rows, a row
without its file answering a Vietnamese 404, the orphan sweep, and the same
journey against a real S3-compatible server (moto's, started here).

On the small `tree` (reports/tests/conftest.py): `head` heads the commune."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from common.files import bounded_filename, files_atomic, files_orphans, storage_walk, truncate_utf8
from common.tests.s3 import BUCKET, s3_storage
from reports import services
from reports.models import Evidence
from reports.tests.factories import PDF
from reports.tests.test_reports import YEAR, line_post

LONG_NAME = "Biên bản hội nghị tuyên truyền cải cách hành chính " * 8 + ".pdf"  # 400+ characters


@pytest.fixture
def report(world, tree):
    return world.report(tree["commune"], YEAR)


def upload(client, report, name=LONG_NAME, content=PDF, **fields):
    data = line_post(report, action="upload", **fields) | {"file": SimpleUploadedFile(name, content, "application/pdf")}
    return client.post(reverse("reports:detail", args=[report.pk]), data)


def download_url(evidence):
    return reverse("reports:evidence", args=[evidence.report_id, evidence.pk])


def test_names_are_cut_on_characters_keeping_the_extension():
    name = bounded_filename("ệ" * 400 + ".docx", max_chars=255, max_bytes=200)
    assert name.endswith(".docx") and len(name.encode()) <= 200 and name.startswith("ệ")
    assert truncate_utf8("aệ", 2) == "a"  # never half a character
    # Decomposed input (NFD, as some systems send) is composed first.
    assert bounded_filename("Bie\u0302\u0301n.pdf", max_chars=50) == "Biến.pdf"
    assert bounded_filename("x." + "y" * 40, max_chars=20).startswith("x.yyy")  # not an extension: cut as a stem
    assert bounded_filename("C:\\Users\\a\x00b\x1f.pdf", max_chars=50) == "ab.pdf"  # no folders, no NUL


def test_a_400_character_file_name_is_stored_under_a_bounded_name(client, report, personas):
    """Regression: OSError (file name too long) after the narrative was saved."""
    assert len(LONG_NAME) >= 400
    personas.login(client, "head")
    response = upload(client, report, results="Kết quả kèm tệp tên dài")
    assert response.status_code == 302
    evidence = report.evidence.get()
    assert len(evidence.file.name) <= 300
    assert len(evidence.file.name.rsplit("/", 1)[1].encode()) <= 255
    assert evidence.file.name.endswith(".pdf")
    assert evidence.original_name.endswith(".pdf") and len(evidence.original_name) <= 255
    assert evidence.original_name.startswith("Biên bản hội nghị")
    report.refresh_from_db()
    assert report.results == "Kết quả kèm tệp tên dài"
    got = client.get(download_url(evidence))
    assert got.status_code == 200 and b"".join(got.streaming_content) == PDF
    assert "Bi%C3%AAn%20b%E1%BA%A3n" in got["Content-Disposition"]  # the name as uploaded (RFC 5987)


def test_control_characters_in_a_file_name_are_dropped(client, report, personas):
    personas.login(client, "head")
    assert upload(client, report, name="bien\x00ban\x07 so 1.pdf").status_code == 302
    evidence = report.evidence.get()
    assert evidence.original_name == "bienban so 1.pdf" and "\x00" not in evidence.file.name


def test_a_file_that_cannot_be_stored_saves_nothing(client, report, personas, settings, tmp_path):
    """The draft and its file are one transaction: no partial write."""
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the media folder should be")
    settings.MEDIA_ROOT = str(blocker / "media")  # every write fails with NotADirectoryError
    before = report.results
    personas.login(client, "head")
    response = upload(client, report, name="bien-ban.pdf", results="Không được lưu nửa chừng")
    assert response.status_code == 200
    assert "Chưa lưu được tệp minh chứng" in response.content.decode()
    assert "Không được lưu nửa chừng" in response.content.decode()  # what was typed is still on the page
    report.refresh_from_db()
    assert report.results == before and not report.evidence.exists()


@pytest.mark.django_db(transaction=True)
def test_an_upload_rolled_back_at_commit_leaves_no_file(report, personas):
    """The row fails only at COMMIT (a deferred foreign key): the stored file goes too."""
    ghost = get_user_model()(pk=987654, username="ghost")
    with pytest.raises(IntegrityError):
        services.evidence_add(report=report, name="bien-ban.pdf", content=PDF, content_type="application/pdf",
                              user=ghost)
    assert not Evidence.objects.exists()
    assert list(storage_walk(default_storage, "evidence/")) == []


def test_an_upload_inside_a_block_that_fails_later_leaves_no_file(report, personas):
    with pytest.raises(RuntimeError), files_atomic():
        evidence = services.evidence_add(report=report, name="bien-ban.pdf", content=PDF,
                                         content_type="application/pdf", user=personas.head)
        name = evidence.file.name
        assert default_storage.exists(name)
        raise RuntimeError("a later step fails")
    assert not Evidence.objects.exists() and not default_storage.exists(name)


def test_a_delete_rolled_back_keeps_the_file_and_a_committed_one_removes_it(
        client, report, personas, django_capture_on_commit_callbacks):
    evidence = services.evidence_add(report=report, name="bien-ban.pdf", content=PDF,
                                     content_type="application/pdf", user=personas.head)
    name, pk = evidence.file.name, evidence.pk
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            services.evidence_delete(report=report, evidence=evidence)
            raise RuntimeError("rolled back")
    assert callbacks == []  # the removal was never scheduled
    evidence = Evidence.objects.get(pk=pk)
    assert default_storage.exists(name) and Evidence.objects.filter(pk=evidence.pk).exists()
    personas.login(client, "head")
    assert client.get(download_url(evidence)).status_code == 200

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reports:evidence_delete", args=[report.pk, evidence.pk]))
    assert response.status_code == 302
    assert not Evidence.objects.filter(pk=evidence.pk).exists() and not default_storage.exists(name)


def test_rows_deleted_another_way_take_their_files_after_commit(report, personas,
                                                                django_capture_on_commit_callbacks):
    """The admin, or a report deleted with its evidence (a cascade): the files follow once committed."""
    names = [services.evidence_add(report=report, name=f"bien-ban-{i}.pdf", content=PDF + bytes([i]),
                                   content_type="application/pdf", user=personas.head).file.name for i in range(2)]
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        report.delete()
    assert len(callbacks) == 2 and all(default_storage.exists(name) for name in names)  # not before the commit
    for callback in callbacks:
        callback()
    assert not any(default_storage.exists(name) for name in names)


def test_a_row_whose_file_is_gone_answers_a_vietnamese_404(client, report, personas):
    evidence = services.evidence_add(report=report, name="bien-ban.pdf", content=PDF,
                                     content_type="application/pdf", user=personas.head)
    default_storage.delete(evidence.file.name)
    personas.login(client, "head")
    response = client.get(download_url(evidence))
    assert response.status_code == 404
    body = response.content.decode()
    assert "Không còn tệp minh chứng" in body and "bien-ban.pdf" in body


# Permissions of the two file views -----------------------------------------------------

@pytest.fixture
def stored(report, personas):
    return services.evidence_add(report=report, name="bien-ban.pdf", content=PDF, content_type="application/pdf",
                                 user=personas.head)


def test_download_allowed_wrong_role_and_other_agency(client, report, stored, personas, neighbour):
    personas.login(client, "head")
    assert client.get(download_url(stored)).status_code == 200
    client.logout()
    personas.login(client, "reviewer")  # reviewers read their units' drafts too
    assert client.get(download_url(stored)).status_code == 200
    client.logout()
    # The district's drafter reads a commune's report only once it is sent: a draft is out of reach.
    personas.login(client, "drafter")
    assert client.get(download_url(stored)).status_code == 404
    client.logout()
    assert client.login(username=neighbour[1].username, password=personas.password)  # another commune's head
    assert client.get(download_url(stored)).status_code == 404
    client.logout()
    personas.login(client, "outsider")
    assert client.get(download_url(stored)).status_code == 404


def test_delete_allowed_wrong_role_and_other_agency(client, report, stored, personas, neighbour,
                                                    django_capture_on_commit_callbacks):
    url = reverse("reports:evidence_delete", args=[report.pk, stored.pk])
    for who in ("reviewer", "drafter", "outsider"):  # a reviewer reads but never edits
        personas.login(client, who)
        assert client.post(url).status_code in (403, 404)
        client.logout()
    assert client.login(username=neighbour[1].username, password=personas.password)
    assert client.post(url).status_code in (403, 404)
    client.logout()
    assert Evidence.objects.filter(pk=stored.pk).exists() and default_storage.exists(stored.file.name)
    personas.login(client, "head")
    assert client.get(url).status_code == 405  # a GET never deletes
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url).status_code == 302
    assert not Evidence.objects.filter(pk=stored.pk).exists()


# The orphan sweep -----------------------------------------------------------------------

def test_the_orphan_sweep_removes_old_unnamed_files_and_lists_rows_without_files(report, stored, personas):
    kept = stored.file.name
    orphan = default_storage.save(f"evidence/2026/{report.pk}/crash-left-this.pdf", ContentFile(PDF))
    lost = services.evidence_add(report=report, name="mat-tep.pdf", content=PDF + b"2",
                                 content_type="application/pdf", user=personas.head)
    default_storage.delete(lost.file.name)

    now_young = files_orphans(delete=True)  # the orphan is minutes old: an upload may be under way
    assert now_young.deleted == [] and orphan in now_young.young and default_storage.exists(orphan)

    later = timezone.now() + dt.timedelta(days=2)
    listed = files_orphans(delete=False, now=later)
    assert listed.orphans == [orphan] and listed.deleted == [] and default_storage.exists(orphan)
    assert listed.missing == [("minh chứng", lost.file.name)]

    out = io.StringIO()
    call_command("files_orphans", "--delete", "--grace-hours", "0", stdout=out)
    assert not default_storage.exists(orphan) and default_storage.exists(kept)
    text = out.getvalue()
    assert f"đã xóa  {orphan}" in text and f"mất tệp (minh chứng)  {lost.file.name}" in text
    assert "1 tệp mồ côi, đã xóa 1" in text


# A real S3-compatible server ------------------------------------------------------------

@pytest.fixture
def s3(settings):
    with s3_storage(settings) as client:
        yield client


def _keys(client) -> list[str]:
    return [item["Key"] for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", [])]


def test_evidence_in_s3_upload_download_delete(client, report, personas, s3, django_capture_on_commit_callbacks):
    from storages.backends.s3 import S3Storage

    personas.login(client, "head")
    assert upload(client, report, name="Biên bản.pdf", results="Lưu trên kho S3").status_code == 302
    evidence = report.evidence.get()
    assert isinstance(evidence.file.storage._wrapped, S3Storage)
    assert _keys(s3) == [evidence.file.name]
    stored = s3.get_object(Bucket=BUCKET, Key=evidence.file.name)["Body"].read()
    assert stored == PDF

    # Streamed through the permission-checked view; the bucket is never exposed.
    got = client.get(download_url(evidence))
    assert got.status_code == 200 and got.streaming and b"".join(got.streaming_content) == PDF
    assert BUCKET not in str(got.headers) and "X-Amz" not in str(got.headers)
    client.logout()
    personas.login(client, "outsider")
    assert client.get(download_url(evidence)).status_code == 404
    client.logout()

    # The orphan sweep lists and deletes in the bucket too.
    s3.put_object(Bucket=BUCKET, Key=f"evidence/2026/{report.pk}/orphan.pdf", Body=PDF)
    swept = files_orphans(delete=True, now=timezone.now() + dt.timedelta(days=2))
    assert swept.deleted == [f"evidence/2026/{report.pk}/orphan.pdf"] and _keys(s3) == [evidence.file.name]

    personas.login(client, "head")
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(reverse("reports:evidence_delete", args=[report.pk, evidence.pk])).status_code == 302
    assert _keys(s3) == [] and not report.evidence.exists()


def test_a_row_whose_object_is_gone_from_s3_answers_404(client, report, personas, s3):
    evidence = services.evidence_add(report=report, name="bien-ban.pdf", content=PDF,
                                     content_type="application/pdf", user=personas.head)
    s3.delete_object(Bucket=BUCKET, Key=evidence.file.name)
    personas.login(client, "head")
    response = client.get(download_url(evidence))
    assert response.status_code == 404 and "Không còn tệp minh chứng" in response.content.decode()
