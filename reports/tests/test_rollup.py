"""The rollup of sent reports (reports/rollup.py) adds up to what
line_totals adds up from the lines: tasks, progress, percents, money, flows
over the stretches inside a period and stocks of the period, with returned
reports and drafts left out; per report and per tree root, filled by the
services, the migration's fill and a rebuild."""

import pytest

from plans.models import Counter
from reports import services
from reports.figures import line_totals, rollup_totals, stretches_inside
from reports.models import Report, ReportFigure, ReportLine, ReportRollup, RootRollup
from reports.rollup import SENT, rollup_fill, roots_rebuild, tree_state
from reports.tests.factories import report_fill, report_sent

Q1, HALF, Q3, YEAR = "Quý I/2026", "6 tháng đầu năm 2026", "Quý III/2026", "Năm 2026"


def with_stock(report, value):
    """A stock figure ("chuyên mục đang duy trì") on the report's first line."""
    stock = Counter.objects.get(code="chuyen_muc")
    line = report.lines.order_by("pk").first()
    stock.channels.add(line.task.channel)
    ReportFigure.objects.update_or_create(line=line, counter=stock, defaults={"label": stock.label, "value": value})


@pytest.fixture
def sent_world(world, tree, personas, neighbour):
    """Flows and stocks in every state: accepted, submitted, returned, draft."""
    commune, home, other = tree["commune"], tree["home_affairs"], neighbour[0]
    q1 = report_fill(world.report(commune, Q1), count=37, percent=40)
    with_stock(q1, 2)
    report_sent(q1, by=personas.head, accept_by=personas.reviewer)
    half = report_fill(world.report(commune, HALF), count=20, percent=70, spent=3_000_000)
    with_stock(half, 3)
    report_sent(half, by=personas.head)
    returned = report_fill(world.report(home, Q1), count=5)
    report_sent(returned, by=personas.head, return_by=personas.reviewer)
    report_fill(world.report(home, HALF), count=9)  # a draft
    done = report_fill(world.report(other, Q3), state=ReportLine.Progress.DONE, count=11, spent=7)
    report_sent(done, by=neighbour[1], accept_by=personas.reviewer)
    year = report_fill(world.report(commune, YEAR), count=4, percent=90)
    report_sent(year, by=personas.head)
    return {"returned": returned}


def lines_view(world, label, plan):
    codes = list(Counter.objects.values_list("code", flat=True))
    sent = ReportLine.objects.filter(report__status__in=SENT)
    if plan is not None:
        sent = sent.filter(task__plan=plan)
    period = world.periods[label]
    rows = line_totals(sent.filter(report__period=period), by=("task__area_id", "task__channel_id"), codes=codes,
                       window=stretches_inside(sent, period))
    return {(r["task__area_id"], r["task__channel_id"]): r for r in rows}


def rollup_view(world, label, plan, roots=None):
    from agencies.models import Agency

    codes = list(Counter.objects.values_list("code", flat=True))
    rows = rollup_totals(agencies=Agency.objects.values("pk"), roots=roots, period=world.periods[label],
                         plan_id=plan.pk if plan else None, codes=codes)
    return {(r["area_id"], r["channel_id"]): r for r in rows}


def assert_same(expected, found):
    assert expected.keys() == found.keys()
    for key, row in expected.items():
        mine = found[key]
        for field in ("tasks", "spent", "progress", "counters"):
            assert mine[field] == row[field], (key, field)
        assert mine["percent"] == pytest.approx(row["percent"])
        assert mine["percent_sum"] == round(row["percent"] * row["tasks"])


@pytest.mark.parametrize("label", [Q1, HALF, Q3, YEAR])
def test_the_rollup_adds_up_to_the_lines(world, sent_world, label):
    for plan in (None, world.plan):
        expected = lines_view(world, label, plan)
        assert expected  # something to compare
        assert_same(expected, rollup_view(world, label, plan))


def test_the_half_year_adds_the_first_quarters_flows_but_not_its_stocks(world, sent_world):
    def total(label, code):
        return sum(r["counters"].get(code) or 0 for r in rollup_view(world, label, None).values())

    # Quý I's 37s are inside the half year; its stocks (2 and 37s) are not.
    assert total(HALF, "tin_bai_cong") > total(Q1, "tin_bai_cong") > 0
    assert total(HALF, "chuyen_muc") == sum(
        f.value for f in ReportFigure.objects.filter(line__report__period=world.periods[HALF],
                                                     line__report__status__in=SENT, counter__code="chuyen_muc"))


def test_a_returned_report_has_no_rollup_until_it_is_sent_again(world, sent_world, personas):
    returned = sent_world["returned"]
    assert not ReportRollup.objects.filter(report=returned).exists()
    services.report_submit(report=Report.objects.get(pk=returned.pk), user=personas.head)
    assert ReportRollup.objects.filter(report=returned).exists()
    assert_same(lines_view(world, Q1, None), rollup_view(world, Q1, None))


def test_the_migrations_fill_writes_the_same_rollup(world, sent_world):
    before = {label: rollup_view(world, label, None) for label in (Q1, HALF, YEAR)}
    ReportRollup.objects.all().delete()
    assert rollup_fill() > 0
    for label, view in before.items():
        assert rollup_view(world, label, None) == view


def test_the_root_rollups_add_up_to_the_lines_after_a_rebuild_and_after_each_change(world, sent_world, tree,
                                                                                    personas):
    root = tree_state().root_of[tree["district"].pk]
    roots_rebuild()
    # Whole trees are filtered by plans issued by a root only (the dashboard's
    # plan choices for a root); the district's plan counts in, without its id.
    for label in (Q1, HALF, Q3, YEAR):
        assert_same(lines_view(world, label, None), rollup_view(world, label, None, roots=[root]))
    # A change after the rebuild: the services keep the root's rows.
    services.report_accept(report=world.report(tree["commune"], HALF), user=personas.reviewer)
    services.report_submit(report=sent_world["returned"], user=personas.head)
    assert_same(lines_view(world, Q1, None), rollup_view(world, Q1, None, roots=[root]))
    assert RootRollup.objects.filter(root_id=root).count() < ReportLine.objects.count()
