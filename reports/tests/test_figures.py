"""Figures that add up like for like: one counter per thing, labels as
filed, each figure typed once for its own stretch, year totals without
double counting over the overlapping MOHA periods (6 tháng contains Quý I)."""

import pytest
from django.urls import reverse

from plans.models import Channel, Counter
from reports import services
from reports.models import ReportFigure, ReportLine
from reports.selectors import period_summary
from reports.tests.factories import line_counters, report_fill, report_sent

Q1, HALF, Q3, YEAR = "Quý I/2026", "6 tháng đầu năm 2026", "Quý III/2026", "Năm 2026"


def test_real_report_vocabulary_has_one_counter_per_thing(db):
    codes = set(Counter.objects.values_list("code", flat=True))
    # A city's yearly figures and a province's quarter, as reports write them.
    for thing in ("xe_co_dong", "bang_ron", "phuon", "pano", "ap_phich", "bang_dien_tu", "phong_su", "tin_bai_cong",
                  "tin_bai_bao", "nguoi_du_thi", "to_roi", "doi_thoai"):
        assert thing in codes
    visual = Channel.objects.get(code="truc-quan").counter_set.values_list("code", flat=True)
    assert {"bang_ron", "phuon", "bang_dien_tu", "xe_co_dong"} <= set(visual)
    assert Counter.objects.get(code="chuyen_muc").kind == Counter.Kind.STOCK


def commune_line(world, tree, label):
    return world.report(tree["commune"], label).lines.select_related("task__channel").order_by("pk").first()


def fill_one(world, tree, label, value, *, personas, accept=True):
    """The commune's first line of `label` given `value` for its first counter; sent and accepted."""
    report = report_fill(world.report(tree["commune"], label), count=0)
    line = report.lines.order_by("pk").first()
    counter = line_counters(line)[0]
    ReportFigure.objects.filter(line=line, counter=counter).update(value=value)
    report_sent(report, by=personas.head, accept_by=personas.reviewer if accept else None)
    return line, counter


def test_each_period_counts_its_own_stretch_and_the_year_is_their_sum(world, tree, personas):
    line_q1, counter = fill_one(world, tree, Q1, 37, personas=personas)
    line_half, _ = fill_one(world, tree, HALF, 20, personas=personas)
    line_q3, _ = fill_one(world, tree, Q3, 11, personas=personas)
    line_year, _ = fill_one(world, tree, YEAR, 5, personas=personas)
    # The stretches follow each other: 15/12-14/03, 15/03-14/06, 15/06-14/09, 15/09-14/12.
    starts = [ReportLine.objects.get(pk=line.pk).stretch_start for line in (line_q1, line_half, line_q3, line_year)]
    assert [d.strftime("%d/%m") for d in starts] == ["15/12", "15/03", "15/06", "15/09"]

    def total(label):
        summary = period_summary(period=world.periods[label], root=tree["district"])
        return summary["totals"]["counters"].get(counter.code)

    assert total(Q1) == 37
    assert total(HALF) == 37 + 20  # the half year contains Quý I: counted once
    assert total(Q3) == 11
    assert total(YEAR) == 37 + 20 + 11 + 5


def test_a_correction_to_an_earlier_report_flows_into_later_totals(world, tree, personas):
    line_q1, counter = fill_one(world, tree, Q1, 37, personas=personas)
    fill_one(world, tree, HALF, 20, personas=personas)
    ReportFigure.objects.filter(line=line_q1, counter=counter).update(value=40)
    summary = period_summary(period=world.periods[HALF], root=tree["district"])
    assert summary["totals"]["counters"][counter.code] == 60


def test_the_half_year_form_asks_only_for_its_stretch_and_shows_the_year_so_far(client, world, tree, personas):
    fill_one(world, tree, Q1, 37, personas=personas)
    report = world.report(tree["commune"], HALF)
    body = personas.login(client, "head").get(reverse("reports:detail", args=[report.pk])).content.decode()
    assert "Số liệu phát sinh từ 15/03/2026 đến 14/06/2026" in body
    assert "Các kỳ trước trong năm: 37" in body


def post_figures(client, report, line, counter, **values):
    data = {"lock_version": report.lock_version, "results": "", "shortcomings": "", "proposals": "", "action": "save"}
    for other in report.lines.all():
        data |= {f"line-{other.pk}-state": "in_progress", f"line-{other.pk}-percent": "50"}
    data |= {f"line-{line.pk}-{key}_{counter.code}": value for key, value in values.items()}
    return client.post(reverse("reports:detail", args=[report.pk]), data)


def test_an_approximate_figure_with_a_note_is_kept_and_shown(client, world, tree, personas):
    report = world.report(tree["commune"], Q1)
    line = report.lines.order_by("pk").first()
    counter = line_counters(line)[0]
    personas.login(client, "head")
    response = post_figures(client, report, line, counter, c="5.000", a="on", n="gần 5.000 lượt")
    assert response.status_code == 302
    figure = ReportFigure.objects.get(line=line, counter=counter)
    assert (figure.value, figure.approximate, figure.note, figure.label) == (5000, True, "gần 5.000 lượt", counter.label)


@pytest.mark.parametrize(("typed", "message"), [
    ("-3", "Nhập số nguyên không âm"), ("1,5", "Nhập số nguyên không âm"), ("12.000.000", "Số liệu quá lớn cho một kỳ"),
])
def test_bad_figures_get_a_message_next_to_the_field_and_nothing_is_saved(client, world, tree, personas, typed,
                                                                         message):
    report = world.report(tree["commune"], Q1)
    line = report.lines.order_by("pk").first()
    counter = line_counters(line)[0]
    personas.login(client, "head")
    body = post_figures(client, report, line, counter, c=typed).content.decode()
    assert message in body
    assert not ReportFigure.objects.filter(line__report=report).exists()
    line.refresh_from_db()
    assert line.percent == 0  # the other fields of the post were not saved either


def test_renaming_a_counter_leaves_filed_reports_with_the_label_they_were_filed_under(client, world, tree, personas):
    line, counter = fill_one(world, tree, Q1, 37, personas=personas)
    old_label = counter.label
    Counter.objects.filter(pk=counter.pk).update(label="Tên chỉ tiêu mới")
    body = personas.login(client, "reviewer").get(reverse("reports:detail", args=[line.report_id])).content.decode()
    assert f"{old_label}: 37" in body and "Tên chỉ tiêu mới" not in body


def test_a_stock_is_taken_from_the_period_and_never_added_up(world, tree, personas):
    stock = Counter.objects.get(code="chuyen_muc")
    report_q1 = world.report(tree["commune"], Q1)
    line_q1 = report_q1.lines.order_by("pk").first()
    stock.channels.add(line_q1.task.channel)
    ReportFigure.objects.create(line=line_q1, counter=stock, label=stock.label, value=2)
    report_sent(report_q1, by=personas.head, accept_by=personas.reviewer)
    half = world.report(tree["commune"], HALF)
    services.reports_ensure(period=half.period)  # nothing new: the line exists; carry is for new lines
    line_half = half.lines.get(task=line_q1.task)
    ReportFigure.objects.create(line=line_half, counter=stock, label=stock.label, value=3)
    report_sent(half, by=personas.head, accept_by=personas.reviewer)
    summary = period_summary(period=half.period, root=tree["district"])
    assert summary["totals"]["counters"]["chuyen_muc"] == 3


def test_stretches_follow_the_calendar_whatever_order_reports_are_made_in(tree, personas):
    # The daily sweep makes the year's report on 15/12, months before Quý III exists.
    from plans.tests.factories import plan_issued
    from schedule.calendar import calendar_defaults_ensure
    from schedule.models import LevelDeadline, ReportingRule
    from schedule.services import periods_ensure

    calendar_defaults_ensure(ReportingRule, LevelDeadline)
    plan_issued(issuer=tree["district"], drafter=personas.drafter, head=personas.head, leads=[tree["commune"]],
                report_rules=ReportingRule.objects.filter(kind__in=["quarter", "half_year", "year"]))
    periods = {p.label: p for p in periods_ensure(year=2026)}
    for label in (YEAR, Q1, HALF, Q3):  # the year first, Quý III last
        services.reports_ensure(period=periods[label])
    starts = {label: ReportLine.objects.get(report__period=periods[label]).stretch_start.strftime("%d/%m")
              for label in (Q1, HALF, Q3, YEAR)}
    assert starts == {Q1: "15/12", HALF: "15/03", Q3: "15/06", YEAR: "15/09"}


def test_of_two_periods_ending_the_same_day_only_the_shorter_counts_the_days(tree, personas):
    from plans.tests.factories import plan_issued
    from schedule.calendar import calendar_defaults_ensure
    from schedule.models import LevelDeadline, ReportingRule
    from schedule.services import periods_ensure

    calendar_defaults_ensure(ReportingRule, LevelDeadline)
    ReportingRule.objects.filter(kind="month").update(is_active=True)
    plan_issued(issuer=tree["district"], drafter=personas.drafter, head=personas.head, leads=[tree["commune"]],
                report_rules=ReportingRule.objects.filter(kind__in=["month", "quarter"]))
    periods = {p.label: p for p in periods_ensure(year=2026)}
    for label in ("Tháng 3/2026", Q1):
        services.reports_ensure(period=periods[label])
    month = ReportLine.objects.get(report__period=periods["Tháng 3/2026"])
    quarter = ReportLine.objects.get(report__period=periods[Q1])
    assert month.stretch_start.strftime("%d/%m") == "15/02"
    assert quarter.stretch_start > quarter.report.period.end  # nothing left to count: the months did
