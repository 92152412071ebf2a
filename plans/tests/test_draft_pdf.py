"""A draft's PDF made by the worker after a save and kept in storage: the
next download reads the file (no rendering), a copy of an earlier version is
never served, editing a task makes only the appendix again, and the two
parts joined read exactly as the plan laid out in one pass. The task
function is called directly (the worker's code, without a broker)."""

from __future__ import annotations

import datetime as dt
import io

import pypdf
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone

from agencies.tests.factories import PASSWORD
from common.files import files_orphans, storage_walk
from plans import services
from plans.documents import storage
from plans.documents.pdf import APPENDIX, BODY, plan_pdf_parts, plan_pdf_render, plan_pdf_render_single
from plans.documents.storage import DRAFTS_PREFIX, draft_pdf_name, part_name
from plans.models import Plan
from plans.selectors import plan_with_contents
from plans.tasks import plan_pdf_prepare_task

pytestmark = pytest.mark.django_db
STORED_MARK = b"%PDF-1.7 the stored file"


@pytest.fixture(autouse=True)
def _own_media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


def _fresh(plan: Plan) -> Plan:
    return plan_with_contents().get(pk=plan.pk)


def _stored_files(plan: Plan) -> set[str]:
    return set(storage_walk(default_storage, f"{DRAFTS_PREFIX}{plan.pk}"))


def _prepare(plan: Plan, lock_version: int | None = None) -> list[str]:
    """The worker after a save: both parts, as two worker processes would make them."""
    plan = Plan.objects.get(pk=plan.pk)
    version = plan.lock_version if lock_version is None else lock_version
    return [*plan_pdf_prepare_task(plan.pk, version, BODY), *plan_pdf_prepare_task(plan.pk, version, APPENDIX)]


def _no_render(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the stored PDF must be served, not rendered")

    monkeypatch.setattr(storage, "pdf_part_render", refuse)


def _pdf_text(data: bytes) -> str:
    return " ".join(" ".join(page.extract_text().split()) for page in pypdf.PdfReader(io.BytesIO(data)).pages)


def _retitle(plan: Plan, title: str, django_capture_on_commit_callbacks) -> Plan:
    plan = Plan.objects.get(pk=plan.pk)
    fields = {"title": title, "kind": plan.kind, "year_start": plan.year_start, "year_end": plan.year_end}
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.plan_update(plan=plan, lock_version=plan.lock_version, fields=fields, basis=[])
    # The worker is asked to make the new PDF once the save commits.
    assert [callback.__qualname__ for callback in callbacks] == ["draft_pdf_enqueue.<locals>.pdf_enqueue"]
    return plan


def test_after_the_worker_a_download_reads_the_stored_file(client, personas, draft, monkeypatch,
                                                           django_capture_on_commit_callbacks,
                                                           django_assert_max_num_queries):
    plan = _retitle(draft, "Tuyên truyền cải cách hành chính, bản sửa", django_capture_on_commit_callbacks)
    assert sorted(_prepare(plan)) == [APPENDIX, BODY]
    name = draft_pdf_name(plan.pk, plan_pdf_parts(_fresh(plan)))
    assert default_storage.exists(name)
    # Marked, to tell the stored file from a new rendering.
    default_storage.delete(name)
    default_storage.save(name, ContentFile(STORED_MARK))
    _no_render(monkeypatch)
    assert client.login(username=personas.drafter.username, password=PASSWORD)
    url = reverse("plans:pdf", args=[plan.pk])
    client.get(url)  # the session and permission caches warm up
    with django_assert_max_num_queries(11):
        response = client.get(url)
    assert response.status_code == 200 and response.content == STORED_MARK


def test_a_task_for_an_older_version_renders_nothing(draft, django_capture_on_commit_callbacks):
    plan = _retitle(draft, "Tuyên truyền cải cách hành chính, bản sửa", django_capture_on_commit_callbacks)
    assert plan_pdf_prepare_task(plan.pk, plan.lock_version - 1) == []
    assert _stored_files(plan) == set()
    # Made once: a second task for the same version finds the file.
    assert sorted(_prepare(plan)) == [APPENDIX, BODY]
    assert plan_pdf_prepare_task(plan.pk, plan.lock_version) == []


def test_a_stored_pdf_of_an_earlier_version_is_never_served(client, personas, draft,
                                                            django_capture_on_commit_callbacks):
    _prepare(draft)
    old = draft_pdf_name(draft.pk, plan_pdf_parts(_fresh(draft)))
    default_storage.delete(old)
    default_storage.save(old, ContentFile(STORED_MARK))
    # Saved again; the worker has not run yet.
    _retitle(draft, "Tuyên truyền cải cách hành chính, bản sửa lần hai", django_capture_on_commit_callbacks)
    assert client.login(username=personas.drafter.username, password=PASSWORD)
    response = client.get(reverse("plans:pdf", args=[draft.pk]))
    assert response.status_code == 200 and response.content != STORED_MARK
    assert "bản sửa lần hai" in _pdf_text(response.content)
    # The download kept what it made: the next one is a read.
    assert default_storage.exists(draft_pdf_name(draft.pk, plan_pdf_parts(_fresh(draft))))


def test_a_task_edited_elsewhere_is_not_served_from_an_old_copy(client, personas, draft):
    """A change no plan save announced (a task row) changes the file's name too."""
    _prepare(draft)
    task = draft.tasks.first()
    type(task).objects.filter(pk=task.pk).update(product="Sản phẩm đổi ngoài biểu mẫu")
    assert client.login(username=personas.drafter.username, password=PASSWORD)
    response = client.get(reverse("plans:pdf", args=[draft.pk]))
    assert "Sản phẩm đổi ngoài biểu mẫu" in _pdf_text(response.content)


def test_editing_a_task_renders_only_the_appendix(draft, django_capture_on_commit_callbacks):
    _prepare(draft)
    body, appendix = (part_name(draft.pk, part) for part in plan_pdf_parts(_fresh(draft)))
    task = draft.tasks.order_by("position").first()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.task_save(plan=draft, task=task, lock_version=task.lock_version,
                           fields={"product": "Phóng sự truyền hình"}, coordinating=[])
    assert [callback.__qualname__ for callback in callbacks] == ["draft_pdf_enqueue.<locals>.pdf_enqueue"]
    # A task row bumps no plan version: the task goes by the file's name.
    assert plan_pdf_prepare_task(draft.pk, None) == [APPENDIX]
    parts = plan_pdf_parts(_fresh(draft))
    assert part_name(draft.pk, parts[0]) == body and default_storage.exists(body)
    assert part_name(draft.pk, parts[1]) != appendix
    stored = draft_pdf_name(draft.pk, parts)
    with default_storage.open(stored, "rb") as file:
        assert "Phóng sự truyền hình" in _pdf_text(file.read())


def test_earlier_files_are_removed_once_old_enough(draft, django_capture_on_commit_callbacks, monkeypatch):
    _prepare(draft)
    first = _stored_files(draft)
    monkeypatch.setattr(storage, "KEEP_RECENT", dt.timedelta(0))
    _retitle(draft, "Tuyên truyền cải cách hành chính, bản sửa", django_capture_on_commit_callbacks)
    _prepare(draft)
    now = _stored_files(draft)
    parts = plan_pdf_parts(_fresh(draft))
    assert now == {draft_pdf_name(draft.pk, parts), *(part_name(draft.pk, part) for part in parts)}
    # The title is in the body only: the appendix part was kept, not made again.
    assert part_name(draft.pk, parts[1]) in first


def test_the_orphan_sweep_keeps_a_drafts_files_and_removes_an_issued_or_deleted_plans(draft, issued_plan,
                                                                                        period_plan):
    _prepare(draft)
    kept = _stored_files(draft)
    issued = default_storage.save(f"{DRAFTS_PREFIX}{issued_plan.pk}/plan-old.pdf", ContentFile(b"%PDF old"))
    Plan.objects.filter(pk=period_plan.pk).update(status=Plan.Status.DELETED)
    deleted = default_storage.save(f"{DRAFTS_PREFIX}{period_plan.pk}/plan-old.pdf", ContentFile(b"%PDF old"))
    report = files_orphans(delete=True, now=timezone.now() + dt.timedelta(days=2))
    assert {issued, deleted} <= set(report.deleted) and _stored_files(draft) == kept
    assert report.missing == []


def test_the_joined_parts_read_as_one_pass(draft, issued_plan, period_plan):
    for plan in (draft, issued_plan, period_plan):
        plan = _fresh(plan)
        joined = pypdf.PdfReader(io.BytesIO(plan_pdf_render(plan=plan)))
        single = pypdf.PdfReader(io.BytesIO(plan_pdf_render_single(plan=plan)))
        assert len(joined.pages) == len(single.pages)
        assert ([(page.mediabox.width, page.mediabox.height) for page in joined.pages]
                == [(page.mediabox.width, page.mediabox.height) for page in single.pages])
        assert [page.extract_text() for page in joined.pages] == [page.extract_text() for page in single.pages]
        assert joined.metadata.title == single.metadata.title
