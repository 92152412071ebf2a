"""A national-scale dataset for benchmarks and for trying the dashboard:
34 provinces, 3,321 communes, ~25 departments per province, ~20 tasks per
agency, issued plans, the year's periods and reports in every state.

Everything is written with bulk_create in batches, bypassing the services on
purpose: going through report_submit/report_accept would cost a dozen queries
per report and hours at this size. The rows look like what the services
write (same due dates, submitted_at, statuses, counters keyed by the
channel's codes); review events are not generated.

Agency codes start with the prefix ("SCALE-" by default) so the dataset sits
next to the demo data without touching it."""

from __future__ import annotations

import datetime as dt
import random
import time
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from agencies.models import Agency, Membership
from common.text import fold
from plans.models import Area, Channel, Plan, Task
from plans.reference import reference_lists_ensure
from reports.models import Report, ReportFigure, ReportLine
from reports.rollup import rollup_refresh, roots_rebuild
from schedule.models import ReportingChain, ReportingRule
from schedule.services import agency_due_dates, periods_ensure

# The 34 provincial units since 1 July 2025; the first six are cities.
PROVINCES = [
    "Hà Nội", "Huế", "Hải Phòng", "Đà Nẵng", "Hồ Chí Minh", "Cần Thơ", "Lai Châu", "Điện Biên", "Sơn La",
    "Lạng Sơn", "Quảng Ninh", "Thanh Hóa", "Nghệ An", "Hà Tĩnh", "Cao Bằng", "Tuyên Quang", "Lào Cai",
    "Thái Nguyên", "Phú Thọ", "Bắc Ninh", "Hưng Yên", "Ninh Bình", "Quảng Trị", "Quảng Ngãi", "Gia Lai",
    "Khánh Hòa", "Lâm Đồng", "Đắk Lắk", "Đồng Nai", "Tây Ninh", "Vĩnh Long", "Đồng Tháp", "Cà Mau", "An Giang",
]
CITIES = 6
# (code suffix, name, kind); the first is the Nội vụ office that reviews the province.
DEPARTMENTS = [
    ("SNV", "Sở Nội vụ", Agency.Kind.DEPARTMENT),
    ("VP", "Văn phòng Ủy ban nhân dân", Agency.Kind.OFFICE),
    ("STP", "Sở Tư pháp", Agency.Kind.DEPARTMENT),
    ("STC", "Sở Tài chính", Agency.Kind.DEPARTMENT),
    ("SXD", "Sở Xây dựng", Agency.Kind.DEPARTMENT),
    ("SCT", "Sở Công Thương", Agency.Kind.DEPARTMENT),
    ("SYT", "Sở Y tế", Agency.Kind.DEPARTMENT),
    ("SGDDT", "Sở Giáo dục và Đào tạo", Agency.Kind.DEPARTMENT),
    ("SNNMT", "Sở Nông nghiệp và Môi trường", Agency.Kind.DEPARTMENT),
    ("SKHCN", "Sở Khoa học và Công nghệ", Agency.Kind.DEPARTMENT),
    ("SVHTTDL", "Sở Văn hóa, Thể thao và Du lịch", Agency.Kind.DEPARTMENT),
    ("SDTTG", "Sở Dân tộc và Tôn giáo", Agency.Kind.DEPARTMENT),
    ("SNGV", "Sở Ngoại vụ", Agency.Kind.DEPARTMENT),
    ("TTRA", "Thanh tra", Agency.Kind.DEPARTMENT),
    ("BQLKCN", "Ban Quản lý các khu công nghiệp", Agency.Kind.DEPARTMENT),
    ("DPTTH", "Đài Phát thanh và Truyền hình", Agency.Kind.UNIT),
    ("TTPVHCC", "Trung tâm Phục vụ hành chính công", Agency.Kind.UNIT),
    ("BQLDA", "Ban Quản lý dự án đầu tư xây dựng", Agency.Kind.UNIT),
    ("TDTN", "Tỉnh đoàn", Agency.Kind.ORGANIZATION),
    ("HLHPN", "Hội Liên hiệp Phụ nữ", Agency.Kind.ORGANIZATION),
    ("MTTQ", "Ủy ban Mặt trận Tổ quốc Việt Nam", Agency.Kind.ORGANIZATION),
    ("CAT", "Công an", Agency.Kind.DEPARTMENT),
    ("BCHQS", "Bộ Chỉ huy Quân sự", Agency.Kind.DEPARTMENT),
    ("KBNN", "Kho bạc Nhà nước khu vực", Agency.Kind.DEPARTMENT),
    ("BHXH", "Bảo hiểm xã hội", Agency.Kind.DEPARTMENT),
]
COMMUNE_WORDS = [
    "Tân", "Hòa", "Bình", "Phú", "Vĩnh", "An", "Đông", "Tây", "Nam", "Bắc", "Hưng", "Thạnh", "Lợi", "Thuận",
    "Phước", "Long", "Quang", "Đức", "Minh", "Thành", "Hải", "Sơn", "Lâm", "Trung", "Cẩm", "Yên", "Kim", "Hiệp",
]
TASK_TEXTS = [
    "Đăng tải tin, bài tuyên truyền về {area}",
    "Tổ chức hội nghị quán triệt, tập huấn về {area}",
    "Xây dựng chuyên mục, phóng sự về {area}",
    "Treo băng rôn, pano tuyên truyền về {area}",
    "Niêm yết, công khai thủ tục hành chính liên quan đến {area}",
    "Tuyên truyền trên mạng xã hội về {area}",
]
PERIOD_KINDS = (ReportingRule.Kind.QUARTER, ReportingRule.Kind.HALF_YEAR, ReportingRule.Kind.YEAR)
# Counters that count people reach thousands, the others tens.
PEOPLE_COUNTERS = {"luot_nguoi", "luot_tiep_can", "nguoi_du_thi"}


class ScaleExistsError(Exception):
    pass


@dataclass
class ScaleResult:
    agencies: int = 0
    plans: int = 0
    tasks: int = 0
    periods: int = 0
    reports: int = 0
    lines: int = 0
    users: list[str] = field(default_factory=list)
    seconds: float = 0.0


@dataclass
class _Owed:
    """What one agency owes: its tasks as (id, counter codes, target, budget)."""

    agency: Agency
    tasks: list[tuple[int, list[str], int, int]] = field(default_factory=list)


def _split(total: int, parts: int) -> list[int]:
    base, extra = divmod(total, parts)
    return [base + (1 if i < extra else 0) for i in range(parts)]


def _commune_name(rng: random.Random, number: int) -> str:
    return f"{rng.choice(COMMUNE_WORDS)} {rng.choice(COMMUNE_WORDS)} {number}"


def _agencies(*, prefix: str, provinces: int, communes: int, departments: int, rng: random.Random,
              batch_size: int) -> tuple[list[Agency], list[Agency], dict[int, list[Agency]]]:
    """Province UBNDs, then their departments and communes (two bulk inserts)."""
    roots = []
    for i in range(provinces):
        place = PROVINCES[i] if i < len(PROVINCES) else f"Mẫu {i + 1}"
        level = "thành phố" if i < CITIES else "tỉnh"
        roots.append(Agency(
            code=f"{prefix}-P{i + 1:02d}", name=f"Ủy ban nhân dân {level} {place}",
            short_name=f"UBND {level} {place}", kind=Agency.Kind.PROVINCE, abbreviation="UBND", place_name=place,
        ))
    Agency.objects.bulk_create(roots, batch_size=batch_size)
    units: dict[int, list[Agency]] = {}
    homes = []
    for root, commune_count in zip(roots, _split(communes, provinces), strict=True):
        place = root.place_name
        children = []
        for j in range(departments):
            suffix, name, kind = DEPARTMENTS[j] if j < len(DEPARTMENTS) else (f"DV{j + 1}", f"Đơn vị {j + 1}",
                                                                                 Agency.Kind.UNIT)
            children.append(Agency(
                code=f"{root.code}-{suffix}", name=f"{name} {place}", short_name=name, kind=kind, parent=root,
                abbreviation=suffix, place_name=place, is_home_affairs=suffix == "SNV",
            ))
        for k in range(commune_count):
            level = "phường" if k % 3 == 0 else "xã"
            name = _commune_name(rng, k + 1)
            children.append(Agency(
                code=f"{root.code}-X{k + 1:03d}", name=f"Ủy ban nhân dân {level} {name}",
                short_name=f"UBND {level} {name}", kind=Agency.Kind.COMMUNE, parent=root, abbreviation="UBND",
                place_name=name,
            ))
        units[root.pk] = children
        homes.extend(c for c in children if c.is_home_affairs)
    Agency.objects.bulk_create([c for children in units.values() for c in children], batch_size=batch_size)
    return roots, homes, units


def _plan(issuer: Agency, *, year: int, number: int, symbol: str, title: str) -> Plan:
    plan = Plan(
        issuer=issuer, kind=Plan.Kind.YEARLY, year_start=year, year_end=year, number=number, symbol=symbol,
        issue_date=dt.date(year, 1, 10), place=issuer.place_name, title=title, status=Plan.Status.ISSUED,
        signer_authority="TM. ỦY BAN NHÂN DÂN\nKT. CHỦ TỊCH", signer_position="PHÓ CHỦ TỊCH",
        signer_name="Nguyễn Văn A",
    )
    # bulk_create skips Plan.save(), which fills the search column.
    plan.search_text = fold(f"{plan.title} {plan.reference} {issuer.name} {plan.years_label}")
    return plan


def _plans_and_tasks(*, roots, units, tasks: int, year: int, rng: random.Random, batch_size: int,
                     rules: list[ReportingRule]) -> tuple[int, int, dict[int, _Owed]]:
    """Each province issues a plan giving a quarter of every unit's tasks;
    each unit issues its own plan with the rest, led by itself."""
    areas = list(Area.objects.filter(is_active=True))
    channels = list(Channel.objects.filter(is_active=True).prefetch_related("counter_set"))
    share = max(1, tasks // 4)
    plans, owners = [], []  # owners[i]: the agencies plans[i] assigns tasks to
    for root in roots:
        plans.append(_plan(root, year=year, number=1, symbol="KH-UBND",
                           title=f"Tuyên truyền cải cách hành chính năm {year} của {root.short_name}"))
        owners.append([(root, tasks)] + [(unit, share) for unit in units[root.pk]])
        for unit in units[root.pk]:
            if tasks > share:
                plans.append(_plan(unit, year=year, number=2, symbol=f"KH-{unit.abbreviation}",
                                   title=f"Tuyên truyền cải cách hành chính năm {year} của {unit.short_name}"))
                owners.append([(unit, tasks - share)])
    Plan.objects.bulk_create(plans, batch_size=batch_size)
    Through = Plan.report_rules.through
    Through.objects.bulk_create(
        [Through(plan_id=plan.pk, reportingrule_id=rule.pk) for plan in plans for rule in rules], batch_size=batch_size
    )
    owed: dict[int, _Owed] = {}
    task_rows = []
    for plan, assignments in zip(plans, owners, strict=True):
        position = 0
        for agency, count in assignments:
            for _ in range(count):
                position += 1
                area, channel = rng.choice(areas), rng.choice(channels)
                task = Task(
                    plan=plan, position=position, lead_agency=agency, area=area, channel=channel,
                    content=rng.choice(TASK_TEXTS).format(area=area.name.lower()), timeframe="Cả năm",
                    target_quantity=rng.randint(2, 24), budget=rng.choice([0, 5, 10, 20, 50]) * 1_000_000,
                    product="Tin, bài; báo cáo kết quả",
                )
                task_rows.append(task)
    Task.objects.bulk_create(task_rows, batch_size=batch_size)
    codes = {c.pk: [x for x in c.counter_set.all() if x.is_active] for c in channels}
    for task in task_rows:
        entry = owed.setdefault(task.lead_agency.pk, _Owed(agency=task.lead_agency))
        entry.tasks.append((task.pk, codes[task.channel_id], task.target_quantity, task.budget))
    return len(plans), len(task_rows), owed


def _fate(rng: random.Random, *, due_passed: bool, compliance: float) -> str:
    """What became of one report: on-time/late acceptance, awaiting review, returned, missing."""
    roll = rng.random()
    if not due_passed:  # the period is still open: most are drafts, a few sent early
        return "submitted" if roll < 0.15 else "draft"
    if roll > compliance:
        return "missing"
    roll = rng.random()
    if roll < 0.62:
        return "accepted"
    if roll < 0.74:
        return "accepted_late"
    if roll < 0.86:
        return "submitted"
    if roll < 0.92:
        return "submitted_late"
    return "returned"


def _line(rng: random.Random, report: Report, task: tuple, *, sent: bool,
          stretch_start: dt.date) -> tuple[ReportLine, dict]:
    """A line and its figures {counter: value} for its stretch."""
    task_id, counters, target, budget = task
    if not sent:  # a draft pre-filled from earlier work, barely started
        return ReportLine(report=report, task_id=task_id, state=ReportLine.Progress.NOT_STARTED, percent=0,
                          stretch_start=stretch_start), {}
    roll = rng.random()
    state = (ReportLine.Progress.DONE if roll < 0.6 else
             ReportLine.Progress.IN_PROGRESS if roll < 0.9 else ReportLine.Progress.NOT_STARTED)
    percent = {ReportLine.Progress.DONE: 100, ReportLine.Progress.NOT_STARTED: 0}.get(state, rng.randint(20, 90))
    figures = {
        counter: rng.randint(50, 2000) if counter.code in PEOPLE_COUNTERS else rng.randint(0, target + 4)
        for counter in counters
    } if state != ReportLine.Progress.NOT_STARTED else {}
    return ReportLine(
        report=report, task_id=task_id, state=state, percent=percent, stretch_start=stretch_start,
        spent=budget * percent // 100 if budget else None, note="Thực hiện theo kế hoạch.",
    ), figures


def _reports(*, owed: dict[int, _Owed], periods, today: dt.date, rng: random.Random,
             batch_size: int) -> tuple[int, int]:
    book = ReportingChain.objects.rulebook()
    # Some provinces report better than others, so the charts have a shape.
    compliance: dict[int, float] = {}
    reports = lines = 0
    # Figures cover the stretch after the previous period's cut-off (all of a
    # unit's tasks report in every period here), so totals never double count.
    stretch_starts, after = {}, {}
    for period in sorted(periods, key=lambda p: p.end):
        stretch_starts[period.pk] = after.get(period.year, period.start)
        after[period.year] = period.end + dt.timedelta(days=1)
    for period in periods:  # in the calendar's order, so the random draws stay as they were
        stretch_start = stretch_starts[period.pk]
        batch: list[tuple[Report, _Owed]] = []
        dues = agency_due_dates(period=period, agencies=[entry.agency for entry in owed.values()], book=book)
        for entry in owed.values():
            agency = entry.agency
            province = agency.parent_id or agency.pk
            rate = compliance.setdefault(province, rng.uniform(0.7, 0.98))
            due = dues[agency.pk]
            fate = "draft" if period.start > today else _fate(rng, due_passed=due < today, compliance=rate)
            report = Report(agency=agency, period=period, due_date=due)
            if fate != "missing" and fate != "draft":
                report.status = {"accepted": Report.Status.ACCEPTED, "accepted_late": Report.Status.ACCEPTED,
                                 "returned": Report.Status.RETURNED}.get(fate, Report.Status.SUBMITTED)
                shift = rng.randint(1, 12) if fate.endswith("_late") else -rng.randint(0, 6)
                day = min(due + dt.timedelta(days=shift), today)
                report.submitted_at = timezone.make_aware(dt.datetime.combine(day, dt.time(9, rng.randint(0, 59))))
                report.results = f"Đã triển khai {len(entry.tasks)} nhiệm vụ tuyên truyền CCHC trong kỳ."
            batch.append((report, entry))
            if len(batch) >= batch_size:
                lines += _flush(batch, rng, batch_size, stretch_start)
                reports += len(batch)
                batch = []
        if batch:
            lines += _flush(batch, rng, batch_size, stretch_start)
            reports += len(batch)
    return reports, lines


def _flush(batch: list[tuple[Report, _Owed]], rng: random.Random, batch_size: int, stretch_start: dt.date) -> int:
    Report.objects.bulk_create([report for report, _ in batch], batch_size=batch_size)
    made = [
        _line(rng, report, task, sent=report.submitted_at is not None, stretch_start=stretch_start)
        for report, entry in batch
        for task in entry.tasks
    ]
    ReportLine.objects.bulk_create([line for line, _ in made], batch_size=batch_size)
    ReportFigure.objects.bulk_create(
        [ReportFigure(line=line, counter=counter, label=counter.label, unit=counter.unit, value=value)
         for line, figures in made for counter, value in figures.items()],
        batch_size=batch_size,
    )
    rollup_refresh([report.pk for report, _ in batch])  # what report_submit would write for the sent ones
    return len(made)


def _users(*, prefix: str, roots, homes, units, password: str) -> list[str]:
    """Logins for trying the data: a reviewer of every province (national
    view), a reviewer of the first province, a head of its first commune."""
    User = get_user_model()
    hashed = make_password(password)
    first_units = units[roots[0].pk]
    first_commune = next((u for u in first_units if u.kind == Agency.Kind.COMMUNE), first_units[-1])
    first_home = next((h for h in homes if h.parent_id == roots[0].pk), None)
    wanted = {
        f"{prefix.lower()}-national": ("Cán bộ Nội vụ (toàn quốc, dữ liệu mẫu)",
                                       [(h, Membership.Role.REVIEWER) for h in homes]),
        f"{prefix.lower()}-province": ("Cán bộ Sở Nội vụ (dữ liệu mẫu)",
                                       [(first_home, Membership.Role.REVIEWER)] if first_home else []),
        f"{prefix.lower()}-head": ("Lãnh đạo xã (dữ liệu mẫu)", [(first_commune, Membership.Role.HEAD)]),
    }
    memberships = []
    for username, (full_name, roles) in wanted.items():
        user, _ = User.objects.get_or_create(username=username, defaults={"first_name": full_name,
                                                                          "password": hashed})
        memberships.extend(Membership(user=user, agency=agency, role=role) for agency, role in roles)
    Membership.objects.bulk_create(memberships, ignore_conflicts=True)
    return list(wanted)


@transaction.atomic
def scale_generate(
    *, provinces: int = 34, communes: int = 3321, departments: int = 25, tasks: int = 20, year: int | None = None,
    today: dt.date | None = None, prefix: str = "SCALE", password: str | None = None, seed: int = 2025,
    batch_size: int = 2000,
) -> ScaleResult:
    """Build the dataset (all or nothing). Refuses to run twice with the same prefix."""
    started = time.monotonic()
    if provinces < 1 or communes < 0 or departments < 1 or tasks < 1:
        raise ValueError("Cần ít nhất 1 tỉnh, 1 sở và 1 nhiệm vụ mỗi đơn vị.")
    if Agency.objects.filter(code__startswith=f"{prefix}-").exists():
        raise ScaleExistsError(f"Đã có dữ liệu với mã bắt đầu bằng «{prefix}-»; dùng --prefix khác.")
    from demo.loader import DEMO_PASSWORD  # the demo's shared password, for trying the data

    today = today or timezone.localdate()
    year = year or today.year
    rng = random.Random(seed)
    reference_lists_ensure(Area, Channel)
    result = ScaleResult()
    roots, homes, units = _agencies(prefix=prefix, provinces=provinces, communes=communes,
                                    departments=departments, rng=rng, batch_size=batch_size)
    result.agencies = len(roots) + sum(len(u) for u in units.values())
    periods = [p for p in periods_ensure(year=year) if p.rule.kind in PERIOD_KINDS]
    rules = list({p.rule_id: p.rule for p in periods}.values())
    result.plans, result.tasks, owed = _plans_and_tasks(
        roots=roots, units=units, tasks=tasks, year=year, rng=rng, batch_size=batch_size, rules=rules
    )
    result.periods = len(periods)
    result.reports, result.lines = _reports(owed=owed, periods=periods, today=today, rng=rng,
                                            batch_size=batch_size)
    roots_rebuild()  # the dashboard's per-province rollup, on the tree as built
    result.users = _users(prefix=prefix, roots=roots, homes=homes, units=units, password=password or DEMO_PASSWORD)
    result.seconds = time.monotonic() - started
    return result
