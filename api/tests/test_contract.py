"""The read endpoints' contract: allowed users get 200 and a body that
matches the endpoint's schema in /api/v1/schema/; a wrong role gets 403, an
other agency 404, an anonymous caller 401. The permission matrix of the
pages, extended to the API. Plus what each list holds, its filters, and its
number of queries (fixed whatever the rows)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.api_tokens import api_token_issue
from agencies.models import Agency
from conftest import make_agency
from plans.models import Plan, Task
from plans.tests.factories import plan_draft
from reports.tests.factories import report_fill, report_sent, report_world

from .schema_check import assert_matches_schema

pytestmark = pytest.mark.django_db
Q1 = "Quý I/2026"


@dataclass
class World:
    tree: dict
    personas: object
    plan: Plan  # the district's, issued
    draft: Plan  # the sibling district's, a draft
    period: object
    merged: Agency  # a commune merged into the sibling district
    token_key: str  # the commune's system account: head and drafter there


@pytest.fixture
def world(tree, personas, empty_cache):
    reports = report_world(tree=tree, personas=personas)
    report_sent(report_fill(reports.report(tree["commune"], Q1)), by=personas.head, accept_by=personas.reviewer)
    draft = plan_draft(issuer=tree["district2"], created_by=personas.outsider, year=2027)
    merged = make_agency("D-OLD", parent=tree["district"], kind=Agency.Kind.COMMUNE, name="Xã Cũ", is_active=False,
                         dissolved_on=dt.date(2025, 7, 1), successor=tree["district2"])
    _, key = api_token_issue(name="Quản lý văn bản xã", agency=tree["commune"], roles=["head", "drafter"])
    return World(tree=tree, personas=personas, plan=reports.plan, draft=draft, period=reports.periods[Q1],
                 merged=merged, token_key=key)


def client_for(world: World, who: str | None) -> Client:
    client = Client()
    if who == "token":
        client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {world.token_key}"
    elif who is not None:
        client.force_login(getattr(world.personas, who))
    return client


def get(world: World, who: str | None, name: str, kwargs: dict | None = None, query: dict | None = None):
    return client_for(world, who).get(reverse(f"api:{name}", kwargs=kwargs), query or {})


# (url name, kwargs from the world, {persona: expected status}); every persona not named gets 200.
ALL = ("drafter", "head", "reviewer", "outsider", "admin", "token")
CASES = [
    ("agency_list", lambda w: {}, {}),
    ("agency_detail", lambda w: {"agency_id": w.tree["district"].pk}, {"outsider": 404, "token": 404}),
    ("agency_detail", lambda w: {"agency_id": w.tree["commune"].pk}, {"outsider": 404}),
    ("agency_deadlines", lambda w: {"agency_id": w.tree["commune"].pk}, {"outsider": 404}),
    ("area_list", lambda w: {}, {}),
    ("channel_list", lambda w: {}, {}),
    ("counter_list", lambda w: {}, {}),
    ("plan_list", lambda w: {}, {}),
    # Issued by the district: read by its units (the commune carries it out), not by the sibling district.
    ("plan_detail", lambda w: {"plan_id": w.plan.pk}, {"outsider": 404}),
    # A draft stays with its unit (and its reviewers: none here).
    ("plan_detail", lambda w: {"plan_id": w.draft.pk},
     {"drafter": 404, "head": 404, "reviewer": 404, "token": 404}),
    ("task_list", lambda w: {}, {}),
    ("period_list", lambda w: {}, {}),
    ("period_summary", lambda w: {"period_id": w.period.pk, "agency_id": w.tree["district"].pk},
     {"outsider": 404, "token": 404}),
    ("period_summary", lambda w: {"period_id": w.period.pk, "agency_id": w.tree["commune"].pk}, {"outsider": 404}),
    # The merged commune: its successor's people see the unit, but its summary stays with those above it.
    ("period_summary", lambda w: {"period_id": w.period.pk, "agency_id": w.merged.pk},
     {"outsider": 403, "token": 404}),
]


@pytest.mark.parametrize("name, kwargs, refused", CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_permission_matrix_and_schema(world, name, kwargs, refused):
    for who in ALL:
        response = get(world, who, name, kwargs(world))
        expected = refused.get(who, 200)
        assert response.status_code == expected, (who, response.status_code, response.content[:300])
        assert_matches_schema(response)
        if expected != 200:
            assert response.json()["detail"].startswith(("Không", "Bạn không")), response.json()
    anonymous = get(world, None, name, kwargs(world))
    assert anonymous.status_code == 401
    assert_matches_schema(anonymous)
    assert anonymous.json()["detail"].startswith("Chưa đăng nhập")


@pytest.mark.parametrize("query, field", [
    ({"year": "abc"}, "year"), ({"year": "99999"}, "year"), ({"status": "deleted"}, "status"),
    ({"issuer": "-1"}, "issuer"), ({"updated_since": "hôm qua"}, "updated_since"), ({"page": "9999"}, "detail"),
])
def test_bad_filters_are_400_per_field_in_vietnamese(world, query, field):
    response = get(world, "drafter", "plan_list", query=query)
    assert response.status_code in (400, 404)
    message = " ".join(map(str, response.json()[field])) if field != "detail" else response.json()["detail"]
    assert any(c in message for c in "ảạđôơưếệ"), message  # Vietnamese


# --- what the lists hold ------------------------------------------------------------------------

def ids(response) -> set[int]:
    assert response.status_code == 200, response.content[:300]
    return {row["id"] for row in response.json()["results"]}


def test_agency_list_is_the_users_scope_and_filters(world):
    tree = world.tree
    assert ids(get(world, "outsider", "agency_list")) == {tree["district2"].pk, world.merged.pk}
    assert ids(get(world, "reviewer", "agency_list")) == {
        tree["district"].pk, tree["home_affairs"].pk, tree["commune"].pk, world.merged.pk}
    assert len(ids(get(world, "admin", "agency_list"))) == Agency.objects.count()
    admin = lambda **q: ids(get(world, "admin", "agency_list", query=q))  # noqa: E731
    assert admin(root=tree["district"].pk) == {
        tree["district"].pk, tree["home_affairs"].pk, tree["commune"].pk, world.merged.pk}
    assert admin(parent=tree["province"].pk) == {tree["district"].pk, tree["district2"].pk}
    assert admin(kind="commune") == {tree["commune"].pk, world.merged.pk}
    assert admin(code="D-X") == {tree["commune"].pk}
    assert admin(active="false") == {world.merged.pk}


def test_agency_payload_has_the_tree_and_its_history(world):
    body = get(world, "admin", "agency_detail", {"agency_id": world.tree["district2"].pk}).json()
    assert body["code"] == "D2" and body["parent_id"] == world.tree["province"].pk
    assert body["predecessor_ids"] == [world.merged.pk] and body["children_ids"] == []
    old = get(world, "admin", "agency_detail", {"agency_id": world.merged.pk}).json()
    assert old["successor_id"] == world.tree["district2"].pk and old["dissolved_on"] == "2025-07-01"
    assert not old["is_active"]


def test_plans_and_tasks_follow_the_plan_list(world):
    assert ids(get(world, "drafter", "plan_list")) == {world.plan.pk}
    assert ids(get(world, "outsider", "plan_list")) == {world.draft.pk}
    assert ids(get(world, "token", "plan_list")) == {world.plan.pk}
    assert ids(get(world, "outsider", "task_list")) == set(world.draft.tasks.values_list("pk", flat=True))
    plan_tasks = set(world.plan.tasks.values_list("pk", flat=True))
    assert ids(get(world, "head", "task_list", query={"plan": world.plan.pk})) == plan_tasks
    lead = world.tree["home_affairs"]
    assert ids(get(world, "head", "task_list", query={"lead_agency": lead.pk})) == set(
        Task.objects.filter(plan=world.plan, lead_agency=lead).values_list("pk", flat=True))
    assert ids(get(world, "head", "task_list", query={"year": 2030})) == set()


def test_plan_filters(world):
    admin = lambda **q: ids(get(world, "admin", "plan_list", query=q))  # noqa: E731
    assert admin(year=2026) == {world.plan.pk}
    assert admin(year=2027) == {world.draft.pk}
    assert admin(status="draft") == {world.draft.pk}
    assert admin(issuer=world.tree["district"].pk) == {world.plan.pk}
    assert admin(kind="period") == set()
    Plan.objects.filter(pk=world.plan.pk).update(updated_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    assert admin(updated_since="2026-06-01") == {world.draft.pk}
    assert admin(updated_since="2025-12-31T00:00:00+07:00") == {world.plan.pk, world.draft.pk}


def test_plan_detail_payload(world):
    body = get(world, "token", "plan_detail", {"plan_id": world.plan.pk}).json()
    assert body["reference"] == world.plan.reference and body["issuer_code"] == "D"
    assert body["status"] == "issued" and body["issue_date"] == "2026-01-08"
    assert {c["section"] for c in body["clauses"]} >= {"purpose", "content", "channel"}
    assert isinstance(body["basis_references"], list) and isinstance(body["headings"], list)
    task = body["tasks"][0]
    assert task["lead_agency_code"] == "D-X" and task["deadline"] == "2026-12-31"
    assert isinstance(task["coordinating_agency_ids"], list)
    assert task["budget"] is None or isinstance(task["budget"], int)


def test_periods_and_deadlines(world):
    labels = {row["label"] for row in get(world, "drafter", "period_list", query={"year": 2026}).json()["results"]}
    assert Q1 in labels and "Năm 2026" in labels
    quarters = get(world, "drafter", "period_list", query={"year": 2026, "kind": "quarter", "page_size": 500}).json()
    from schedule.models import ReportingPeriod

    assert {row["kind"] for row in quarters["results"]} == {"quarter"}
    assert quarters["count"] == ReportingPeriod.objects.filter(year=2026, rule__kind="quarter").count() > 0
    body = get(world, "head", "agency_deadlines", {"agency_id": world.tree["commune"].pk}, {"year": 2026}).json()
    q1 = next(row for row in body["reports"] if row["period"]["label"] == Q1)
    report = world.plan.tasks.first().report_lines.filter(report__period=world.period,
                                                         report__agency=world.tree["commune"]).first().report
    assert q1["due_date"] == report.due_date.isoformat()


def test_summary_gives_the_pages_figures(world):
    from reports.selectors import period_summary

    body = get(world, "reviewer", "period_summary",
               {"period_id": world.period.pk, "agency_id": world.tree["district"].pk}).json()
    page = period_summary(period=world.period, root=world.tree["district"])
    assert body["totals"]["tasks"] == page["totals"]["tasks"] > 0
    assert body["totals"]["spent"] == page["totals"]["spent"]
    assert body["totals"]["counters"] == page["totals"]["counters"]
    assert body["counts"]["accepted"] == 1
    assert {row["agency_id"] for row in body["by_agency"]} == set(page["by_agency"])
    assert all(row["code"] for row in body["by_channel"] if row["name"] != "Chưa xác định hình thức")


# --- a fixed number of queries per page -----------------------------------------------------------

def count_queries(client: Client, url: str, query: dict | None = None) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, query or {})
    assert response.status_code == 200, response.content[:300]
    return len(captured)


@pytest.mark.parametrize("who", ["reviewer", "admin", "token"])
def test_lists_take_the_same_queries_for_more_rows(world, who):
    client = client_for(world, who)
    urls = [reverse(f"api:{name}") for name in
            ("agency_list", "plan_list", "task_list", "counter_list", "area_list", "channel_list", "period_list")]
    detail = reverse("api:plan_detail", kwargs={"plan_id": world.plan.pk})
    client.get(urls[0])  # the user's row and roles, cached from the first request on
    before = {url: count_queries(client, url) for url in [*urls, detail]}
    # More of everything: units (with merged ones), plans, tasks with coordinating units.
    tree = world.tree
    for n in range(3):
        unit = make_agency(f"D-Z{n}", parent=tree["district"], kind=Agency.Kind.COMMUNE)
        make_agency(f"D-ZOLD{n}", parent=tree["district"], kind=Agency.Kind.COMMUNE, is_active=False,
                    dissolved_on=dt.date(2025, 7, 1), successor=unit)
        task = Task.objects.create(plan=world.plan, content=f"Nhiệm vụ {n}", lead_agency=unit, position=10 + n)
        task.coordinating_agencies.set([tree["commune"], unit])
        plan_draft(issuer=tree["district"], leads=[unit], year=2026)
    after = {url: count_queries(client, url) for url in [*urls, detail]}
    assert after == before


@pytest.mark.parametrize("path", ["/api/v1/agencies/99999999999999999999/", "/api/v1/plans/0/",
                                  "/api/v1/khong-co/", "/api/v1/periods/1/summary/abc/"])
def test_unknown_addresses_and_impossible_ids_are_json_404(world, path):
    response = client_for(world, "admin").get(path)
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["detail"].startswith("Không tìm thấy")
