"""Tagging plans, tasks, reports and evidence files with the PAR criteria
they prove: who may (par/tag_rules.py), inheritance (a task inherits its
plan's tags, the evidence of a report its tasks'), the links from the plan
and report pages, and a fixed number of queries."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from agencies.models import Membership
from agencies.tests.factories import user_with_roles
from par.models import Tag
from par.selectors import evidence_tags, year_evidence
from plans.models import Plan, Task
from reports.models import Report
from reports.services.evidence import evidence_add
from reports.tests.factories import PDF, commune_added, report_sent, report_world

Role = Membership.Role


# The report tests' world (reports/tests/conftest.py), here so this file stands alone.
@pytest.fixture
def neighbour(tree):
    return commune_added(tree)


@pytest.fixture
def world(tree, personas, neighbour, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return report_world(tree=tree, personas=personas, leads=("commune", "commune", "home_affairs", neighbour[0]))


@pytest.fixture
def tags(db):
    return [Tag.objects.create(code="tuyen-truyen-cchc", name="Công tác thông tin, tuyên truyền CCHC", position=1),
            Tag.objects.create(code="ke-hoach", name="Kế hoạch CCHC", position=2),
            Tag.objects.create(code="sang-kien", name="Sáng kiến <b>mới</b>", position=3)]


def _report(world, tree) -> Report:
    return Report.objects.filter(agency=tree["commune"]).order_by("period__end", "pk").first()


def _files(report, user, count: int, start: int = 0):
    return [evidence_add(report=report, name=f"anh-{n}.pdf", content=PDF + str(n).encode(),
                         content_type="application/pdf", user=user) for n in range(start, start + count)]


def _tasks(plan: Plan) -> list[Task]:
    return list(plan.tasks.order_by("position", "pk"))


def _own(through, owner: str, pk: int) -> set[int]:
    return set(through.objects.filter(**{owner: pk}).values_list("tag_id", flat=True))


# The plan and its tasks --------------------------------------------------------


def test_the_issuers_drafter_tags_an_issued_plan_and_its_tasks(client, world, personas, tags):
    plan = world.plan
    assert plan.status == Plan.Status.ISSUED
    tasks = _tasks(plan)
    personas.login(client, "drafter")
    url = reverse("par:tag_plan", args=[plan.pk])
    page = client.get(url).content.decode()
    assert "Sáng kiến &lt;b&gt;mới&lt;/b&gt;" in page and 'id="read-only"' not in page
    response = client.post(url, {f"plan_{plan.pk}": [tags[0].pk], f"task_{tasks[0].pk}": [tags[1].pk, tags[2].pk],
                                 f"task_{tasks[2].pk}": [tags[2].pk]})
    assert response.status_code == 302
    assert _own(Tag.plans.through, "plan_id", plan.pk) == {tags[0].pk}
    assert _own(Tag.tasks.through, "task_id", tasks[0].pk) == {tags[1].pk, tags[2].pk}
    assert _own(Tag.tasks.through, "task_id", tasks[2].pk) == {tags[2].pk}
    # Unticking removes, ticking adds; tasks not sent lose their tags (the form is the whole state).
    client.post(url, {f"plan_{plan.pk}": [tags[1].pk], f"task_{tasks[0].pk}": [tags[2].pk]})
    assert _own(Tag.plans.through, "plan_id", plan.pk) == {tags[1].pk}
    assert _own(Tag.tasks.through, "task_id", tasks[0].pk) == {tags[2].pk}
    assert _own(Tag.tasks.through, "task_id", tasks[2].pk) == set()
    page = client.get(url).content.decode()
    assert page.count("Kế hoạch CCHC</span>") == len(tasks)  # each task shows the plan's tag, inherited


def test_the_lead_agencys_head_tags_only_the_tasks_it_leads(client, world, personas, tags, neighbour):
    plan = world.plan
    tasks = _tasks(plan)
    mine = [t for t in tasks if t.lead_agency_id == neighbour[0].pk]
    assert len(mine) == 1
    client.force_login(neighbour[1])
    url = reverse("par:tag_plan", args=[plan.pk])
    assert client.get(url).status_code == 200
    data = {f"plan_{plan.pk}": [tags[0].pk]} | {f"task_{t.pk}": [tags[1].pk] for t in tasks}
    assert client.post(url, data).status_code == 302
    assert _own(Tag.plans.through, "plan_id", plan.pk) == set()  # not the plan's
    assert {t.pk for t in tasks if _own(Tag.tasks.through, "task_id", t.pk)} == {mine[0].pk}


@pytest.mark.parametrize(("persona", "get", "post"), [
    ("drafter", 200, 302), ("head", 200, 302), ("reviewer", 200, 403), ("outsider", 404, 404)])
def test_plan_tagging_permission_matrix(client, world, personas, tags, persona, get, post):
    plan = world.plan
    personas.login(client, persona)
    url = reverse("par:tag_plan", args=[plan.pk])
    response = client.get(url)
    assert response.status_code == get
    if get == 200 and post == 403:
        assert 'id="read-only"' in response.content.decode() and "Lưu nhãn" not in response.content.decode()
    assert client.post(url, {f"plan_{plan.pk}": [tags[0].pk]}).status_code == post
    assert _own(Tag.plans.through, "plan_id", plan.pk) == ({tags[0].pk} if post == 302 else set())


def test_a_deleted_draft_is_tagged_by_no_one(client, world, personas, tags):
    Plan.objects.filter(pk=world.plan.pk).update(status=Plan.Status.DELETED)
    personas.login(client, "drafter")
    assert client.get(reverse("par:tag_plan", args=[world.plan.pk])).status_code == 404


def test_an_unknown_tag_is_refused_next_to_the_field(client, world, personas, tags):
    plan = world.plan
    personas.login(client, "drafter")
    response = client.post(reverse("par:tag_plan", args=[plan.pk]), {f"plan_{plan.pk}": ["999999", "x"]})
    assert response.status_code == 200
    assert "Nhãn đã chọn không còn" in response.content.decode()
    assert _own(Tag.plans.through, "plan_id", plan.pk) == set()


def test_a_task_inherits_its_plans_tags_and_the_evidence_follows(client, world, personas, tags, tree):
    """Tag the plan only: the evidence of a sent report with a line of one of
    its tasks carries the tag (par.selectors.evidence_tags)."""
    personas.login(client, "drafter")
    client.post(reverse("par:tag_plan", args=[world.plan.pk]), {f"plan_{world.plan.pk}": [tags[0].pk]})
    report = _report(world, tree)
    assert report.lines.filter(task__plan=world.plan).exists()
    [file] = _files(report, personas.head, 1)
    report_sent(report, by=personas.head)
    evidence = year_evidence(agency_id=tree["commune"].pk, year=2026)
    assert [e.pk for e in evidence] == [file.pk]
    assert evidence_tags(evidence) == {file.pk: {tags[0].pk}}
    # A task's own tag counts too, and the file's own.
    task = report.lines.first().task
    Tag.tasks.through.objects.create(task_id=task.pk, tag_id=tags[1].pk)
    Tag.evidence.through.objects.create(evidence_id=file.pk, tag_id=tags[2].pk)
    assert evidence_tags(evidence) == {file.pk: {t.pk for t in tags}}


# The report and its evidence -----------------------------------------------------


def test_the_head_tags_a_report_and_its_files_even_after_sending(client, world, personas, tags, tree):
    report = _report(world, tree)
    one, two = _files(report, personas.head, 2)
    report_sent(report, by=personas.head)
    personas.login(client, "head")
    url = reverse("par:tag_report", args=[report.pk])
    assert "anh-0.pdf" in client.get(url).content.decode()
    response = client.post(url, {f"report_{report.pk}": [tags[0].pk], f"evidence_{one.pk}": [tags[1].pk, tags[2].pk]})
    assert response.status_code == 302
    assert _own(Tag.reports.through, "report_id", report.pk) == {tags[0].pk}
    assert _own(Tag.evidence.through, "evidence_id", one.pk) == {tags[1].pk, tags[2].pk}
    assert _own(Tag.evidence.through, "evidence_id", two.pk) == set()


@pytest.mark.parametrize(("persona", "draft", "get", "post"), [
    ("commune_drafter", True, 200, 302),
    ("commune_drafter", False, 200, 403),  # sent: only the head now
    ("head", False, 200, 302),
    ("reviewer", True, 200, 403),  # reads, never tags
    ("reviewer", False, 200, 403),
    ("drafter", False, 200, 403),  # the district's drafter reads the commune's sent report
    ("outsider", False, 404, 404),
    ("neighbour_head", False, 404, 404),
])
def test_report_tagging_permission_matrix(client, world, personas, tags, tree, neighbour, persona, draft, get, post):
    report = _report(world, tree)
    users = {"commune_drafter": user_with_roles("cdrafter", (tree["commune"], Role.DRAFTER)),
             "neighbour_head": neighbour[1]}
    if not draft:
        report_sent(report, by=personas.head)
    client.force_login(users.get(persona) or getattr(personas, persona))
    url = reverse("par:tag_report", args=[report.pk])
    response = client.get(url)
    assert response.status_code == get
    if get == 200 and post == 403:
        assert 'id="read-only"' in response.content.decode()
    assert client.post(url, {f"report_{report.pk}": [tags[0].pk]}).status_code == post
    assert _own(Tag.reports.through, "report_id", report.pk) == ({tags[0].pk} if post == 302 else set())


def test_a_file_of_another_report_is_not_tagged_through_this_one(client, world, personas, tags, tree):
    report = _report(world, tree)
    other = Report.objects.filter(agency=tree["commune"]).exclude(pk=report.pk).first()
    [foreign] = _files(other, personas.head, 1, start=5)
    personas.login(client, "head")
    client.post(reverse("par:tag_report", args=[report.pk]), {f"evidence_{foreign.pk}": [tags[0].pk]})
    assert _own(Tag.evidence.through, "evidence_id", foreign.pk) == set()


def test_the_report_page_shows_what_it_inherits_from_its_tasks(client, world, personas, tags, tree):
    report = _report(world, tree)
    Tag.plans.through.objects.create(plan_id=world.plan.pk, tag_id=tags[1].pk)
    personas.login(client, "head")
    page = client.get(reverse("par:tag_report", args=[report.pk])).content.decode()
    assert 'Kế thừa từ nhiệm vụ và kế hoạch trong báo cáo:\n      <span class="badge text-bg-light border me-1">' \
           "Kế hoạch CCHC</span>" in page


# Links from the plan and report pages ---------------------------------------------


@pytest.mark.parametrize(("persona", "shown"), [("drafter", True), ("head", True), ("reviewer", False)])
def test_the_plan_page_links_to_tagging_only_for_taggers(client, world, personas, persona, shown):
    personas.login(client, persona)
    page = client.get(reverse("plans:detail", args=[world.plan.pk])).content.decode()
    assert ('id="par-tag-link"' in page) is shown
    if shown:
        assert reverse("par:tag_plan", args=[world.plan.pk]) in page


def test_the_lead_agencys_head_sees_the_link_on_the_plan_page(client, world, neighbour):
    client.force_login(neighbour[1])
    page = client.get(reverse("plans:detail", args=[world.plan.pk])).content.decode()
    assert 'id="par-tag-link"' in page


@pytest.mark.parametrize(("persona", "shown"), [("head", True), ("reviewer", False)])
def test_the_report_page_links_to_tagging_only_for_taggers(client, world, personas, tree, persona, shown):
    report = _report(world, tree)
    personas.login(client, persona)
    page = client.get(reverse("reports:detail", args=[report.pk])).content.decode()
    assert ('id="par-tag-link"' in page) is shown


# Queries --------------------------------------------------------------------------


def _queries(client, method: str, url: str, data=None) -> int:
    getattr(client, method)(url, data)  # warm-up (session, caches)
    with CaptureQueriesContext(connection) as queries:
        response = getattr(client, method)(url, data)
    assert response.status_code in (200, 302)
    return len(queries)


def test_plan_tagging_reads_and_saves_in_a_fixed_number_of_queries(client, world, personas, tags, tree):
    plan = world.plan
    personas.login(client, "drafter")
    url = reverse("par:tag_plan", args=[plan.pk])

    def post_data():
        return {f"plan_{plan.pk}": [tags[0].pk]} | {f"task_{t.pk}": [tags[1].pk, tags[2].pk] for t in _tasks(plan)}

    before_get = _queries(client, "get", url)
    Tag.tasks.through.objects.all().delete()
    with CaptureQueriesContext(connection) as saving:
        client.post(url, post_data())
    for n in range(6):
        Task.objects.create(plan=plan, position=100 + n, content=f"Nhiệm vụ thêm {n}", lead_agency=tree["commune"])
    assert _queries(client, "get", url) == before_get == 5
    Tag.tasks.through.objects.all().delete()
    with CaptureQueriesContext(connection) as saving_more:
        client.post(url, post_data())
    assert len(saving_more) == len(saving.captured_queries)
    assert Tag.tasks.through.objects.count() == 2 * len(_tasks(plan))


def test_report_tagging_reads_in_a_fixed_number_of_queries(client, world, personas, tags, tree):
    report = _report(world, tree)
    _files(report, personas.head, 1)
    personas.login(client, "head")
    url = reverse("par:tag_report", args=[report.pk])
    before = _queries(client, "get", url)
    _files(report, personas.head, 5, start=10)
    assert _queries(client, "get", url) == before == 7
