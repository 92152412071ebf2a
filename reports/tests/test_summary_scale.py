"""The period summary at scale: the national level lists provinces (each
links to its own summary, their rows add up to the totals), the page caps
its unit lists with «xem tiếp», its query count does not grow with the
units, and a large summary's BC and XLSX are built by the worker
(SummaryDocumentJob) with the same content as the synchronous download,
for the asker only, under the summary's own permission rule."""

import datetime as dt
import io

import openpyxl
import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from agencies.models import Agency, Membership
from agencies.tests.factories import AgencyFactory
from conftest import make_agency
from reports import versions, views
from reports.models import Report, ReportLine, SummaryDocumentJob
from reports.selectors import period_summary, summary_warm
from reports.services import summary_jobs
from reports.tasks import summary_document_task
from reports.tests.factories import report_fill, report_sent
from reports.tests.test_reports import Q1, Q3, home_affairs_q3_submitted
from reports.tests.test_summary_document import SIGNER, docx_text, pdf_text
from reports.versions import province_roots

Job = SummaryDocumentJob


@pytest.fixture
def q1_accepted(world, tree, personas, neighbour):
    """Quý I/2026: every unit's report filled and accepted, the commune's 4 days late."""
    commune, head2 = neighbour
    for agency, head, days_late in ((tree["commune"], personas.head, 4), (tree["home_affairs"], personas.admin, 0),
                                    (commune, head2, 0)):
        report = report_fill(world.report(agency, Q1), state=ReportLine.Progress.DONE, spent=1_000_000)
        report.results = f"Kết quả của {agency.name}."
        report.save()
        report_sent(report, by=head, on=report.due_date + dt.timedelta(days=days_late), accept_by=personas.reviewer)
    return world.periods[Q1]


@pytest.fixture
def nation(tree):
    """A ministry above the tree's province and a second, empty province."""
    ministry = make_agency("BNV", kind=Agency.Kind.MINISTRY, name="Bộ Nội vụ")
    Agency.objects.filter(pk=tree["province"].pk).update(parent=ministry)
    other = make_agency("P2", parent=ministry, kind=Agency.Kind.PROVINCE, name="Ủy ban nhân dân tỉnh Hai")
    return ministry, other


@pytest.fixture
def in_worker(monkeypatch):
    """Every summary counts as large: its files go to the worker."""
    monkeypatch.setattr(summary_jobs, "SUMMARY_SYNC_REPORTS", 0)


# The national level -----------------------------------------------------------------------------

def test_the_national_summary_has_a_row_per_province_adding_up_to_the_totals(client, q1_accepted, tree, personas,
                                                                               nation):
    ministry, other = nation
    summary = period_summary(period=q1_accepted, root=ministry)
    assert summary["national"]
    assert list(summary["by_agency"]) == [other.pk, tree["province"].pk]  # by name: "tỉnh Hai", "tỉnh Thử"
    province = period_summary(period=q1_accepted, root=tree["province"])
    row = summary["by_agency"][tree["province"].pk]
    assert (row["tasks"], row["done"], row["spent"], row["counters"]) == (
        province["totals"]["tasks"], province["totals"]["done"], province["totals"]["spent"],
        province["totals"]["counters"])
    assert (row["reports"], row["accepted"]) == (len(province["reports"]), len(province["accepted"]))
    assert summary["by_agency"][other.pk]["tasks"] == 0
    for key in ("tasks", "done", "spent"):
        assert sum(r[key] for r in summary["by_agency"].values()) == summary["totals"][key]
    codes = set(summary["totals"]["counters"])
    assert codes and all(sum(r["counters"].get(code, 0) for r in summary["by_agency"].values())
                         == summary["totals"]["counters"][code] for code in codes)
    assert summary["totals"] == province["totals"] | {"figures": summary["totals"]["figures"]}
    # A province's own summary stays per unit.
    assert not province["national"] and tree["commune"].pk in province["by_agency"]

    personas.login(client, "admin")
    body = client.get(reverse("reports:summary", args=[q1_accepted.pk]), {"agency": ministry.pk}).content.decode()
    assert "Theo tỉnh, thành phố" in body
    link = f'{reverse("reports:summary", args=[q1_accepted.pk])}?agency={tree["province"].pk}'
    assert f'href="{link}"' in body and "(3/3 báo cáo đã tiếp nhận)" in body


def test_the_national_bc_lists_provinces_not_units(client, q1_accepted, tree, personas, nation):
    ministry, other = nation
    personas.login(client, "admin")
    response = client.get(reverse("reports:summary_document", args=[q1_accepted.pk, "docx"]),
                          {"agency": ministry.pk})
    text = docx_text(response.content)
    assert "Ủy ban nhân dân tỉnh Thử 3/3 đã tiếp nhận" in text and "Ủy ban nhân dân tỉnh Hai 0/0" in text
    assert "Số đơn vị phải báo cáo: 3; đã được tiếp nhận: 3" in text


# The page: capped lists, fixed cost --------------------------------------------------------------

def test_capped_lists_say_xem_tiep_and_the_next_page_has_them_all(client, world, tree, personas, neighbour,
                                                                   monkeypatch):
    home_affairs_q3_submitted(world, tree, personas)  # both communes still owe Quý III
    monkeypatch.setattr(views, "SUMMARY_ROWS", 1)
    personas.login(client, "reviewer")
    period = world.periods[Q3]
    page = client.get(reverse("reports:summary", args=[period.pk]))
    body = page.content.decode()
    missing = body[body.index('id="missing"'):body.index("</ul>", body.index('id="missing"'))]
    assert missing.count("<li>") == 1 and page.context["counts"]["missing"] == 2
    more = reverse("reports:summary_more", args=[period.pk, "missing"])
    assert f'href="{more}?agency={tree["district"].pk}"' in body and "Xem tiếp: cả 2 đơn vị chưa nộp" in body
    listed = client.get(more, {"agency": tree["district"].pk}).content.decode()
    assert tree["commune"].name in listed and neighbour[0].name in listed


def test_the_units_table_is_capped_too(client, q1_accepted, tree, personas, monkeypatch):
    monkeypatch.setattr(views, "SUMMARY_ROWS", 1)
    personas.login(client, "reviewer")
    page = client.get(reverse("reports:summary", args=[q1_accepted.pk]))
    assert len(page.context["unit_rows"]) == 1 and page.context["counts"]["units"] == 3
    assert "Xem tiếp: cả 3 đơn vị" in page.content.decode()
    everyone = client.get(reverse("reports:summary_more", args=[q1_accepted.pk, "units"]),
                          {"agency": tree["district"].pk})
    assert len(everyone.context["rows"]) == 3 and "Tổng cộng" in everyone.content.decode()
    told = client.get(reverse("reports:summary_more", args=[q1_accepted.pk, "told"]), {"agency": tree["district"].pk})
    assert f"Kết quả của {tree['commune'].name}." in told.content.decode()


def test_the_more_pages_keep_the_summary_permission(client, q1_accepted, tree, personas, neighbour):
    url = reverse("reports:summary_more", args=[q1_accepted.pk, "told"])
    personas.login(client, "outsider")  # the sibling district's head
    assert client.get(url, {"agency": tree["district"].pk}).status_code == 403
    client.logout()
    assert client.get(url, {"agency": tree["district"].pk}).status_code == 302
    assert client.get(f"/reports/summary/{q1_accepted.pk}/more/other/").status_code == 404


def test_the_summary_page_costs_the_same_queries_whatever_the_units(client, q1_accepted, tree, personas,
                                                                      django_assert_max_num_queries, empty_cache):
    personas.login(client, "reviewer")
    url = reverse("reports:summary", args=[q1_accepted.pk])
    client.get(url)  # the bell's count is cached from then on, and the figures
    with django_assert_max_num_queries(20) as cached:
        assert client.get(url).status_code == 200
    cache.clear()
    client.get(reverse("reports:index"))  # the bell again
    with django_assert_max_num_queries(30) as few:
        assert client.get(url).status_code == 200
    for index in range(12):
        agency = AgencyFactory(code=f"D-X{index}", parent=tree["district"], kind=Agency.Kind.COMMUNE)
        Report.objects.create(agency=agency, period=q1_accepted, due_date=q1_accepted.end - dt.timedelta(days=30),
                              status=(Report.Status.DRAFT, Report.Status.ACCEPTED)[index % 2],
                              results="Đã làm." if index % 2 else "")
    with django_assert_max_num_queries(30) as many:  # new reports: the figures are added up again
        page = client.get(url)
    assert page.context["counts"]["reports"] == 3 + 12
    assert len(many.captured_queries) == len(few.captured_queries) > len(cached.captured_queries)


def test_the_page_adds_up_again_once_a_report_is_accepted(client, world, tree, personas, empty_cache):
    personas.login(client, "reviewer")
    period = world.periods[Q1]
    url = reverse("reports:summary", args=[period.pk])
    assert client.get(url).context["totals"]["tasks"] == 0
    report = report_fill(world.report(tree["commune"], Q1), state=ReportLine.Progress.DONE)
    report_sent(report, by=personas.head, accept_by=personas.reviewer)
    assert client.get(url).context["totals"]["tasks"] == 2


# Documents built by the worker ------------------------------------------------------------------

def build(client, period, file_format, agency, django_capture_on_commit_callbacks, **signer):
    """POST the page's «Tạo …» button; the job is built here by the task's own
    body, not sent to a broker (the message is the last callback on commit;
    the earlier ones remove a replaced job's file)."""
    url = reverse("reports:summary_job_create", args=[period.pk, file_format])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(f"{url}?agency={agency.pk}", signer)
    *removals, _send = callbacks
    for removal in removals:
        removal()
    job = Job.objects.latest("pk")
    assert response.status_code == 302 and response["Location"] == reverse("reports:summary_job", args=[job.pk])
    assert job.status == Job.Status.QUEUED
    assert summary_document_task(job.pk) == Job.Status.DONE
    job.refresh_from_db()
    return job


@pytest.mark.parametrize("file_format", ["pdf", "docx", "xlsx"])
def test_the_worker_builds_what_the_synchronous_download_gives(client, q1_accepted, tree, personas, file_format,
                                                                django_capture_on_commit_callbacks, in_worker,
                                                                monkeypatch):
    personas.login(client, "reviewer")
    job = build(client, q1_accepted, file_format, tree["district"], django_capture_on_commit_callbacks, **SIGNER)
    assert (job.progress, job.step, job.signer) == (100, "Đã xong", SIGNER if file_format != "xlsx" else {})
    status = client.get(reverse("reports:summary_job_status", args=[job.pk])).json()
    assert status == {"status": "done", "progress": 100, "step": "Đã xong",
                      "download": reverse("reports:summary_job_download", args=[job.pk])}
    built = client.get(status["download"])
    assert built.status_code == 200
    name = "Tong-hop" if file_format == "xlsx" else "BC-tong-hop"
    assert built["Content-Disposition"].startswith(f'attachment; filename="{name}-Quy-I-2026-')
    content = b"".join(built.streaming_content)
    monkeypatch.setattr(summary_jobs, "SUMMARY_SYNC_REPORTS", 100)  # small again: the synchronous download
    if file_format == "xlsx":
        direct = client.get(reverse("reports:summary_xlsx", args=[q1_accepted.pk])).content

        def cells(data):
            book = openpyxl.load_workbook(io.BytesIO(data))
            return {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in book}
        assert cells(content) == cells(direct)
    else:
        direct = client.get(reverse("reports:summary_document", args=[q1_accepted.pk, file_format]), SIGNER).content
        text = pdf_text if file_format == "pdf" else docx_text
        assert text(content) == text(direct) and "Trần Thị Bình" in text(content)


def test_a_large_summary_offers_the_worker_instead_of_a_download(client, q1_accepted, personas, in_worker):
    personas.login(client, "reviewer")
    body = client.get(reverse("reports:summary", args=[q1_accepted.pk])).content.decode()
    assert "Tạo BC (PDF)" in body and "Tạo XLSX" in body and "Tải BC (PDF)" not in body
    for url in (reverse("reports:summary_document", args=[q1_accepted.pk, "pdf"]),
                reverse("reports:summary_xlsx", args=[q1_accepted.pk])):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(
            reverse("reports:summary", args=[q1_accepted.pk]))


def test_job_pages_are_the_askers_only_under_the_summary_rule(client, q1_accepted, tree, personas, neighbour,
                                                              django_capture_on_commit_callbacks, in_worker):
    personas.login(client, "reviewer")
    job = build(client, q1_accepted, "docx", tree["district"], django_capture_on_commit_callbacks)
    pages = [reverse(name, args=[job.pk]) for name in
             ("reports:summary_job", "reports:summary_job_status", "reports:summary_job_download")]
    assert all(client.get(url).status_code == 200 for url in pages)
    client.logout()
    # Anonymous: the login page. The district's head reads its summary but did not ask: 404.
    assert all(client.get(url).status_code == 302 for url in pages)
    personas.login(client, "head")
    assert all(client.get(url).status_code == 404 for url in pages)
    client.logout()
    create = reverse("reports:summary_job_create", args=[q1_accepted.pk, "pdf"])
    # A commune's head (wrong role: nothing below to sum up) and the sibling district (other agency) ask in vain.
    assert client.login(username=neighbour[1].username, password=personas.password)
    assert client.post(f"{create}?agency={tree['district'].pk}").status_code == 403
    client.logout()
    personas.login(client, "outsider")
    assert client.post(f"{create}?agency={tree['district'].pk}").status_code == 403
    assert client.get(f"{create}?agency={tree['district2'].pk}").status_code == 405
    assert Job.objects.count() == 1
    # The asker who lost the role loses the file too.
    client.logout()
    Membership.objects.filter(user=job.user).delete()
    personas.login(client, "reviewer")
    assert all(client.get(url).status_code == 404 for url in pages)


def test_asking_again_replaces_the_earlier_file(client, q1_accepted, tree, personas, settings,
                                                 django_capture_on_commit_callbacks, in_worker):
    personas.login(client, "reviewer")
    first = build(client, q1_accepted, "docx", tree["district"], django_capture_on_commit_callbacks)
    storage, name = first.file.storage, first.file.name
    assert storage.exists(name)
    second = build(client, q1_accepted, "docx", tree["district"], django_capture_on_commit_callbacks)
    assert not Job.objects.filter(pk=first.pk).exists() and not storage.exists(name)
    assert storage.exists(second.file.name)


def test_a_failed_build_says_so(client, q1_accepted, tree, personas, monkeypatch,
                                django_capture_on_commit_callbacks, in_worker):
    personas.login(client, "reviewer")
    url = reverse("reports:summary_job_create", args=[q1_accepted.pk, "docx"])
    with django_capture_on_commit_callbacks(execute=False):
        client.post(f"{url}?agency={tree['district'].pk}")
    job = Job.objects.get()
    # A fault inside the layout (the real build never fails on this data).
    monkeypatch.setattr("reports.documents.summary_document", lambda *args, **kwargs: 1 / 0)
    assert summary_document_task(job.pk) == Job.Status.FAILED
    status = client.get(reverse("reports:summary_job_status", args=[job.pk])).json()
    assert status["status"] == "failed" and status["download"] == ""
    assert client.get(reverse("reports:summary_job_download", args=[job.pk])).status_code == 404
    assert "Không tạo được tệp" in client.get(reverse("reports:summary_job", args=[job.pk])).content.decode()


def test_after_a_change_the_warm_task_adds_up_the_summaries_last_viewed_there(client, world, tree, personas,
                                                                              empty_cache):
    personas.login(client, "reviewer")
    period = world.periods[Q1]
    url = reverse("reports:summary", args=[period.pk])
    client.get(url)  # viewed: remembered for the warm task
    report = report_fill(world.report(tree["commune"], Q1), state=ReportLine.Progress.DONE)
    report_sent(report, by=personas.head, accept_by=personas.reviewer)
    (root,) = province_roots([tree["commune"].pk])
    assert summary_warm([root + 1000]) == 0  # another tree's change: nothing to add up
    assert summary_warm([root]) == 1
    with CaptureQueriesContext(connection) as ctx:
        page = client.get(url)
    assert page.context["totals"]["tasks"] == 2  # the new figures, read from the cache
    assert not any('"reports_reportline"' in q["sql"] for q in ctx.captured_queries)


def test_while_the_warm_task_adds_up_a_viewer_gets_the_figures_of_a_moment_ago(client, world, tree, personas,
                                                                               empty_cache):
    personas.login(client, "reviewer")
    period = world.periods[Q1]
    url = reverse("reports:summary", args=[period.pk])
    assert client.get(url).context["totals"]["tasks"] == 0
    report = report_fill(world.report(tree["commune"], Q1), state=ReportLine.Progress.DONE)
    report_sent(report, by=personas.head, accept_by=personas.reviewer)
    (root,) = province_roots([tree["commune"].pk])
    cache.set(versions.SUMMARY_WARMING + str(root), 1, versions.WARMING_SECONDS)  # as at commit
    assert client.get(url).context["totals"]["tasks"] == 0  # not added up here
    assert summary_warm([root]) == 1 and not versions.summary_warming([root])
    assert client.get(url).context["totals"]["tasks"] == 2
