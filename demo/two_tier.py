"""The two-tier demo: thành phố Hải Phòng as it stands since 1 July 2025
(tỉnh Hải Dương merged into it; no district): the city's 2026 plan issued,
cascaded to its xã and phường (their plans issued too), reports for Quý I,
6 tháng and Quý III 2026 in every state with figures typed per stretch, and
the former Bình Giang communes' 2025 reports rolling up into the xã that
took them over.

Deterministic: every date is fixed against the 2025 and 2026 periods (never
today), every figure comes from the unit, the task, the counter and the
stretch. Idempotent: nothing is created once the city's plan exists."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from agencies.models import Agency
from plans import services as plan_services
from plans.models import Area, Channel, Counter, Plan
from reports import services
from reports.models import Report, ReportEvent, ReportLine
from schedule.models import PlanDeadline, ReportingChain, ReportingRule
from schedule.services import periods_ensure

CITY = "HP"
CITY_PLAN = Path(__file__).resolve().parent / "data" / "plan_hp_2026.json"
CITY_TITLE = "Tuyên truyền cải cách hành chính nhà nước thành phố Hải Phòng năm 2026"
REVIEWER = "nv-haiphong"
DRAFTER = "sonv-drafter"
CITY_HEAD = "ubnd-haiphong"

# The unit -> the demo user who leads it (and sends its reports), in the
# order the units' figures are drawn.
HEADS = {
    "HP-SNV": "giamdoc-sonv",
    "HP-SVHTTDL": "so-vhttdl",
    "HP-STP": "so-tuphap",
    "HP-SKHCN": "so-khcn",
    "HP-HB": "phuong-hongbang",
    "HP-LTN": "phuong-lethanhnghi",
    "HP-XBG": "xa-binhgiang",
    "HP-XDA": "xa-duongan",
}
# Each commune's own plan: cascaded from the city's, number, and the task it adds.
COMMUNE_PLANS = {"HP-HB": 12, "HP-LTN": 9, "HP-XBG": 7, "HP-XDA": 8}

# (rule kind, end month) -> unit -> what happens to its 2026 report. Năm 2026
# is left open: its stretch (15/09-14/12) is what a head can try. xã Đường An
# has sent nothing yet, so a head can report Quý I and then the 6-month
# stretch on top of it (the README's journey, cchc_portal/tests/test_figures_journey.py).
SCENARIO = {
    ("quarter", 3): {"default": "accepted", "HP-LTN": "accepted_late", "HP-HB": "recorded", "HP-XDA": "missing"},
    ("half_year", 6): {"default": "accepted", "HP-HB": "returned", "HP-LTN": "missing",
                       "HP-SKHCN": "accepted_late", "HP-XDA": "missing"},
    ("quarter", 9): {"default": "submitted", "HP-HB": "missing", "HP-XDA": "missing", "HP-XBG": "accepted",
                     "HP-SNV": "accepted"},
}
STRETCH_INDEX = {("quarter", 3): 0, ("half_year", 6): 1, ("quarter", 9): 2, ("year", 12): 3}

# Former communes of huyện Bình Giang (dissolved 1/7/2025): each had its own
# 2025 plan, recorded as issued on paper; Phòng Nội vụ huyện Bình Giang
# recorded their Quý I and 6-month reports. Code -> (plan number, chairman).
HISTORICAL = {
    "HD-BG-THH": (4, "Vũ Văn Thịnh"),
    "HD-BG-TD": (6, "Nguyễn Thị Hằng"),
    "HD-BG-THG": (5, "Lê Văn Toản"),
}
HISTORICAL_REVIEWER = "reviewer"  # Phòng Nội vụ huyện Bình Giang, which reviewed them at the time

# A figure's size per counter; anything else counts in units of 3.
MAGNITUDE = {"luot_nguoi": 60, "luot_tiep_can": 2500, "tin_bai_cong": 5, "buoi_phat": 8, "bai_dang": 6}


def _at(day: dt.date, hour: int = 9) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def _value(counter: Counter, unit_index: int, position: int, stretch: int) -> int:
    if counter.kind == Counter.Kind.STOCK:
        if counter.code == "tthc_niem_yet":
            return 118 + 6 * unit_index + 2 * stretch  # procedures published, a few more each period
        return 1 + unit_index % 2
    return MAGNITUDE.get(counter.code, 3) * (2 + (unit_index + position + counter.position + stretch) % 4)


def _lines_typed(report: Report, *, unit_index: int, stretch: int, done: bool) -> tuple[dict, list[str]]:
    """The report's lines as report_save takes them, and one phrase per figure."""
    lines, phrases = {}, []
    for line in report.lines.select_related("task__channel").prefetch_related("task__channel__counter_set").order_by(
            "task__plan_id", "task__position"):
        task = line.task
        counters = sorted((c for c in task.channel.counter_set.all() if c.is_active), key=lambda c: c.position) \
            if task.channel else []
        figures = {c: {"value": _value(c, unit_index, task.position, stretch)} for c in counters}
        finished = done and task.target_quantity is None  # a standing task (niêm yết) once in place
        lines[line.pk] = {
            "state": ReportLine.Progress.DONE if finished else ReportLine.Progress.IN_PROGRESS,
            "percent": 100 if finished else min(95, 25 * (stretch + 1) + 5 * (unit_index % 3)),
            "spent": (task.budget or 0) * (stretch + 1) // 5,
            "note": "Thực hiện theo kế hoạch.",
            "figures": figures,
        }
        phrases += [f"{c.label[:1].lower()}{c.label[1:]}: {v['value']} {c.unit}" for c, v in figures.items()]
    return lines, phrases


def _type(report: Report, *, unit_index: int, stretch: int) -> None:
    """Figures of the report's own stretch and a results text that names them."""
    report.refresh_from_db()
    lines, phrases = _lines_typed(report, unit_index=unit_index, stretch=stretch, done=stretch >= 1)
    first = report.lines.order_by("pk").first()
    start = first.stretch_start if first and first.stretch_start else report.period.start
    narrative = {
        "results": (
            f"Từ {start:%d/%m/%Y} đến {report.period.end:%d/%m/%Y}, {report.agency.display_name} thực hiện "
            f"{len(lines)} nhiệm vụ tuyên truyền CCHC: {'; '.join(phrases)}."
        ),
        "shortcomings": "Một số thôn, tổ dân phố chưa có bảng tin; nhân lực làm công tác truyền thông còn kiêm nhiệm.",
        "proposals": f"Đề nghị {'Phòng Nội vụ huyện' if report.period.year < 2026 else 'Sở Nội vụ'} tiếp tục mở "
                     "lớp tập huấn viết tin, bài về CCHC cho công chức cấp xã.",
    }
    services.report_save(report=report, lock_version=report.lock_version, lines=lines, narrative=narrative)


def _date_events(report: Report, *moments: dt.datetime) -> None:
    """The report's events at the fixed moments they stand for (not the day the demo loads)."""
    for event, moment in zip(report.events.order_by("pk"), moments, strict=False):
        ReportEvent.objects.filter(pk=event.pk).update(created_at=moment)


def _play(report: Report, fate: str, *, users: dict, unit_index: int, stretch: int) -> None:
    if fate == "missing":
        return
    reviewer = users[REVIEWER]
    late = 4 if fate == "accepted_late" else 0
    submitted = _at(report.due_date + dt.timedelta(days=late), hour=15 if late else 9)
    reviewed = submitted + dt.timedelta(days=2)
    _type(report, unit_index=unit_index, stretch=stretch)
    report.refresh_from_db()
    if fate == "recorded":  # sent on paper, entered by the Sở Nội vụ
        services.report_record(report=report, user=reviewer, submitted_on=report.due_date - dt.timedelta(days=1),
                               lock_version=report.lock_version, lines={}, narrative={
                                   "results": report.results, "shortcomings": report.shortcomings,
                                   "proposals": report.proposals})
        return
    report.submitted_at = submitted  # report_submit keeps it: on time or late by this date, not today's
    services.report_submit(report=report, user=users[HEADS[report.agency.code]])
    if fate.startswith("accepted"):
        services.report_accept(report=report, user=reviewer, comment="Báo cáo đầy đủ, số liệu khớp minh chứng.")
    elif fate == "returned":
        first = report.lines.order_by("task__position").first()
        services.report_return(
            report=report, user=reviewer,
            comment="Bổ sung số tin, bài đăng từ 15/03 đến 14/06 và ảnh chụp bảng niêm yết TTHC.",
            line_comments={first.pk: "Số tin, bài chưa khớp với Trang thông tin điện tử của đơn vị."}
            if first else {},
        )
    _date_events(report, submitted, reviewed)


def _city_plan(users: dict) -> Plan:
    data = json.loads(CITY_PLAN.read_text(encoding="utf-8"))
    plan = plan_services.plan_create_from_data(data=data, created_by=users[DRAFTER])
    plan.report_rules.set(ReportingRule.objects.filter(kind__in=["quarter", "half_year", "year"]))
    plan_services.plan_submit(plan=plan, user=users[DRAFTER])
    plan_services.plan_issue(
        plan=plan, user=users[CITY_HEAD], number=45, issue_date=dt.date(2026, 1, 12),
        signer_authority="TM. ỦY BAN NHÂN DÂN\nKT. CHỦ TỊCH", signer_position="PHÓ CHỦ TỊCH",
        signer_name=users[CITY_HEAD].first_name,
    )
    return plan


def _commune_plans(city: Plan, users: dict, agencies: dict[str, Agency]) -> list[Plan]:
    """Each commune's plan cascaded from the city's, with one task of its own
    (its loudspeakers), issued a week after the city's."""
    channel = Channel.objects.get(code="phat-thanh")
    area = Area.objects.get(code="tthc")
    plans = []
    for code, number in COMMUNE_PLANS.items():
        head, agency = users[HEADS[code]], agencies[code]
        plan = plan_services.plan_cascade(parent=city, user=head, issuer=agency)
        plan_services.task_save(plan=plan, coordinating=[], fields={
            "content": f"Phát tin, bài về CCHC trên hệ thống truyền thanh cơ sở {agency.place_name}",
            "area": area, "channel": channel, "lead_agency": agency, "timeframe": "Hằng tuần",
            "deadline": dt.date(2026, 12, 31), "product": "Tin, bài phát thanh", "budget": 2400000,
            "target_quantity": 48,
        })
        plan_services.plan_submit(plan=plan, user=head)
        plan_services.plan_issue(
            plan=plan, user=head, number=number, issue_date=dt.date(2026, 1, 19),
            signer_authority="TM. ỦY BAN NHÂN DÂN", signer_position="CHỦ TỊCH", signer_name=head.first_name,
        )
        plans.append(plan)
    return plans


def _history_2025(users: dict) -> int:
    """The former Bình Giang communes' 2025 plans and their Quý I and 6-month
    reports, recorded and accepted: after 1/7/2025 they count under the xã
    that took them over (reports/selectors.py period_summary)."""
    admin, reviewer = users["admin"], users[HISTORICAL_REVIEWER]
    for code, (number, chairman) in HISTORICAL.items():
        agency = Agency.objects.get(code=code)
        place = agency.place_name
        plan = plan_services.plan_create_from_data(created_by=admin, data={
            "issuer": code, "kind": "yearly", "year_start": 2025, "year_end": 2025, "symbol": "KH-UBND",
            "place": place, "title": f"Tuyên truyền cải cách hành chính nhà nước xã {place} năm 2025",
            "basis": [{"verb": "Thực hiện", "text": "Kế hoạch tuyên truyền cải cách hành chính nhà nước năm 2025 "
                                                    "của Ủy ban nhân dân huyện Bình Giang"}],
            "purposes": [{"marker": "dash", "text": f"Người dân, doanh nghiệp xã {place} nắm được thủ tục hành "
                                                    "chính và nơi tiếp nhận phản ánh, kiến nghị."}],
            "requirements": [{"marker": "dash", "text": "Tuyên truyền thường xuyên, đúng nội dung, tiết kiệm."}],
            "content": [{"marker": "dash", "text": "Công khai thủ tục hành chính, kết quả giải quyết hồ sơ.",
                         "area": "tthc"}],
            "signer": {"authority": ["TM. ỦY BAN NHÂN DÂN"], "position": "CHỦ TỊCH", "name": chairman},
            "tasks": [
                {"content": f"Đăng tin, bài về CCHC trên Trang thông tin điện tử xã {place}", "area": "tthc",
                 "channel": "cong-ttdt", "lead": code, "timeframe": "Hằng tháng", "deadline": "2025-06-30",
                 "product": "Tin, bài", "budget": 3000000, "target_quantity": 12},
                {"content": f"Phát tin, bài về CCHC trên hệ thống truyền thanh xã {place}", "area": "tthc",
                 "channel": "phat-thanh", "lead": code, "timeframe": "Hằng tuần", "deadline": "2025-06-30",
                 "product": "Tin, bài phát thanh", "budget": 1200000, "target_quantity": 24},
            ],
        })
        plan.report_rules.set(ReportingRule.objects.filter(kind__in=["quarter", "half_year"]))
        plan_services.plan_record(
            plan=plan, user=admin, number=number, issue_date=dt.date(2025, 1, 10),
            signer_authority="TM. ỦY BAN NHÂN DÂN", signer_position="CHỦ TỊCH", signer_name=chairman,
        )
    periods = {(p.rule.kind, p.end_month): p for p in periods_ensure(year=2025)}
    created = 0
    codes = list(HISTORICAL)
    for key in (("quarter", 3), ("half_year", 6)):
        period = periods[key]
        created += services.reports_ensure(period=period)
        for report in Report.objects.filter(period=period, agency__code__in=codes).select_related("agency", "period"):
            _type(report, unit_index=codes.index(report.agency.code), stretch=STRETCH_INDEX[key])
            report.refresh_from_db()
            services.report_record(
                report=report, user=reviewer, submitted_on=report.due_date - dt.timedelta(days=2),
                lock_version=report.lock_version, lines={},
                narrative={"results": report.results, "shortcomings": report.shortcomings,
                           "proposals": report.proposals},
            )
            _date_events(report, _at(report.due_date))
    return created


def _plan_deadline_rule(city: Agency) -> None:
    """The city's own rule set: every unit under it issues next year's plan
    before 20/11, so the plan list, the dashboard and the reminders have a
    deadline to chase (its report deadlines stay the central ones)."""
    chain, _ = ReportingChain.objects.get_or_create(
        owner=city, defaults={"name": "Quy định của UBND thành phố Hải Phòng",
                              "basis": "Kế hoạch CCHC thành phố Hải Phòng năm 2026"})
    PlanDeadline.objects.get_or_create(chain=chain, agency_kind="", defaults={"day": 20, "month": 11})


@transaction.atomic
def demo_two_tier_load() -> int:
    """Returns how many reports were created (0 once loaded)."""
    if Plan.objects.filter(issuer__code=CITY, title=CITY_TITLE).exists():
        return 0
    User = get_user_model()
    names = {REVIEWER, DRAFTER, CITY_HEAD, HISTORICAL_REVIEWER, "admin", *HEADS.values()}
    users = {u.username: u for u in User.objects.filter(username__in=names)}
    agencies = {a.code: a for a in Agency.objects.filter(code__in=[CITY, *HEADS])}

    created = _history_2025(users)
    _plan_deadline_rule(agencies[CITY])
    city = _city_plan(users)
    _commune_plans(city, users, agencies)

    units = list(HEADS)
    for period in sorted(periods_ensure(year=2026), key=lambda p: (p.end, p.start)):
        key = (period.rule.kind, period.end_month)
        if key not in STRETCH_INDEX:
            continue  # a monthly rule some province added: not in this plan
        created += services.reports_ensure(period=period)
        scenario = SCENARIO.get(key)
        if scenario is None:
            continue  # Năm 2026: still open
        for report in Report.objects.filter(period=period, agency__code__in=units).select_related("agency", "period"):
            fate = scenario.get(report.agency.code, scenario["default"])
            _play(report, fate, users=users, unit_index=units.index(report.agency.code), stretch=STRETCH_INDEX[key])
    return created
