"""Builders for plans. `plan_draft` gives a plan with every core section
(so it can be submitted); `plan_issued` takes it through the real services."""

from __future__ import annotations

import datetime as dt

import factory

from agencies.models import Agency
from agencies.tests.factories import AgencyFactory
from agencies.tree import agency_subtree_ids
from plans import services
from plans.models import Area, Channel, Clause, Plan, Task
from plans.services.lifecycle import _move


class PlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Plan

    issuer = factory.SubFactory(AgencyFactory)
    kind = Plan.Kind.YEARLY
    year_start = 2026
    year_end = factory.LazyAttribute(lambda p: p.year_start)
    symbol = "KH-UBND"
    place = "Bình Giang"
    title = factory.LazyAttribute(lambda p: f"Tuyên truyền cải cách hành chính năm {p.year_start}")
    basis_lead_in = "Ủy ban nhân dân ban hành Kế hoạch với những nội dung sau:"


class ClauseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Clause

    plan = factory.SubFactory(PlanFactory)
    section = Clause.Section.PURPOSE
    marker = Clause.Marker.NUMBER
    position = factory.Sequence(int)
    text = factory.Sequence(lambda n: f"Nội dung mục {n}.")


class TaskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Task

    plan = factory.SubFactory(PlanFactory)
    position = factory.Sequence(lambda n: n + 1)
    content = factory.Sequence(lambda n: f"Nhiệm vụ tuyên truyền số {n}")
    lead_agency = factory.SubFactory(AgencyFactory)
    area = factory.LazyFunction(lambda: Area.objects.get(code="tthc"))
    channel = factory.LazyFunction(lambda: Channel.objects.get(code="cong-ttdt"))
    timeframe = "Hằng quý"
    product = "Tin, bài"


def plan_draft(*, issuer, leads=(), year: int = 2026, **fields) -> Plan:
    """A draft with a purpose, a requirement, a content item (area-tagged), a
    channel and one task per lead agency: everything a submit asks for."""
    plan = PlanFactory(issuer=issuer, year_start=year, year_end=year, **fields)
    ClauseFactory(plan=plan, section=Clause.Section.PURPOSE, marker=Clause.Marker.NUMBER,
                  text="Nâng cao nhận thức của cán bộ, công chức về cải cách hành chính.")
    ClauseFactory(plan=plan, section=Clause.Section.REQUIREMENT, marker=Clause.Marker.NUMBER,
                  text="Tuyên truyền thường xuyên, đúng trọng tâm.")
    ClauseFactory(plan=plan, section=Clause.Section.CONTENT, marker=Clause.Marker.LETTER,
                  text="Tuyên truyền về thủ tục hành chính.", area=Area.objects.get(code="tthc"))
    ClauseFactory(plan=plan, section=Clause.Section.CHANNEL, marker=Clause.Marker.DASH,
                  text="Đăng tin trên trang thông tin điện tử.", channel=Channel.objects.get(code="cong-ttdt"))
    for lead in leads:
        TaskFactory(plan=plan, lead_agency=lead, deadline=dt.date(year, 12, 31))
    return plan


def plan_submitted(plan: Plan, *, user, on: dt.date) -> Plan:
    """Submitted through the service, the submission dated `on` (the issue
    page refuses an issue date before the submission)."""
    from django.utils import timezone

    from plans.models import PlanTransition

    services.plan_submit(plan=plan, user=user)
    moment = timezone.make_aware(dt.datetime.combine(on, dt.time(9)))
    PlanTransition.objects.filter(plan=plan, to_status=Plan.Status.SUBMITTED).update(created_at=moment)
    return plan


def plan_issued(*, issuer, drafter, head, leads=(), year: int = 2026, number: int = 1,
                issue_date: dt.date | None = None, report_rules=(), **fields) -> Plan:
    """A plan drafted by `drafter`, submitted and issued by `head` through the
    services; `report_rules` are the period kinds its lead agencies report on.
    A lead outside the issuer's branch (a world where a unit was merged in
    from elsewhere after reporting) is one the submit checks refuse today:
    such a plan is moved to submitted without them, as it stood back then."""
    plan = plan_draft(issuer=issuer, leads=leads, year=year, created_by=drafter, **fields)
    if report_rules:
        plan.report_rules.set(report_rules)
    if {lead.pk for lead in leads} <= agency_subtree_ids(agency_ids=[issuer.pk]):
        services.plan_submit(plan=plan, user=drafter)
    else:
        _move(plan, user=drafter, expected=Plan.EDITABLE, to=Plan.Status.SUBMITTED)
    return services.plan_issue(
        plan=plan, user=head, number=number, issue_date=issue_date or dt.date(year, 1, 8),
        signer_authority="TM. ỦY BAN NHÂN DÂN\nKT. CHỦ TỊCH", signer_position="PHÓ CHỦ TỊCH",
        signer_name="Nguyễn Văn An",
    )


# Whole plans shaped like the four demo seeds, but small: each keeps the parts a
# test looks at (which sections exist, how they are numbered, the letterhead,
# the appendix) and nothing more. They go through services.plan_create_from_data,
# the same path the demo loader uses.

M = Clause.Marker
# Appendix rows of the district draft in view tests; documents ask for more.
FULL_DRAFT_TASKS = 6


def province_agency(code: str, place: str):
    """A province outside the `tree`, e.g. province_agency("TTH", "Thừa Thiên Huế")."""
    return AgencyFactory(code=code, kind=Agency.Kind.PROVINCE, name=f"Ủy ban nhân dân tỉnh {place}", place_name=place)


def department_agency(province, code: str, name: str, abbreviation: str):
    """A department of `province`, named with the province as Sở names are."""
    return AgencyFactory(code=code, parent=province, kind=Agency.Kind.DEPARTMENT, abbreviation=abbreviation,
                         name=f"{name} {province.name.removeprefix('Ủy ban nhân dân ')}",
                         place_name=province.place_name)


def _clauses(marker, *texts, **tags):
    return [{"marker": marker, "text": text, **tags} for text in texts]


def plan_full_draft(*, issuer, leads, request_body, created_by=None, tasks: int = 14, year: int = 2025) -> Plan:
    """A district draft with every part (like seed 003): basis, purposes,
    requirements, nested content, channels, funding, three responsibilities
    (the last a request to the Front), recipients, closing, signer and `tasks`
    appendix rows, enough of them to fill two landscape pages."""
    locality = issuer.name.removeprefix("Ủy ban nhân dân ")
    lead_codes = [lead.code for lead in leads]
    return services.plan_create_from_data(created_by=created_by, data={
        "issuer": issuer.code, "kind": Plan.Kind.YEARLY, "year_start": year, "year_end": year,
        "symbol": "KH-UBND", "draft_month": 1, "draft_year": year, "status": Plan.Status.DRAFT,
        "place": issuer.place_name,
        "title": f"Tuyên truyền cải cách hành chính nhà nước {locality} năm {year}",
        "basis": [
            {"verb": "Căn cứ", "text": "Kế hoạch số 12/KH-UBND ngày 10/01/2025 của Ủy ban nhân dân tỉnh về cải cách hành chính"},
            {"verb": "Căn cứ", "text": "Kế hoạch số 15/KH-UBND ngày 15/01/2025 của Ủy ban nhân dân tỉnh về tuyên truyền"},
        ],
        "basis_lead_in": f"{issuer.name} xây dựng Kế hoạch tuyên truyền cải cách hành chính năm {year} với những nội dung sau:",
        "purposes": _clauses(M.DASH, "Đẩy mạnh công tác tuyên truyền về cải cách hành chính.",
                             "Nâng cao nhận thức của cán bộ, công chức, viên chức.",
                             "Tạo sự đồng thuận của người dân và doanh nghiệp."),
        "requirements": _clauses(M.DASH, "Tuyên truyền thường xuyên, đúng trọng tâm.",
                                 "Nội dung tuyên truyền chính xác, dễ hiểu.",
                                 "Gắn tuyên truyền với nhiệm vụ chính trị của cơ quan, đơn vị."),
        "content": [
            {"marker": M.LETTER, "text": "Tuyên truyền về thủ tục hành chính.", "area": "tthc", "children": _clauses(
                M.DASH, "Công khai thủ tục hành chính tại bộ phận một cửa.", "Hướng dẫn nộp hồ sơ trực tuyến.")},
            {"marker": M.LETTER, "text": "Tuyên truyền về chuyển đổi số.", "area": "tthc"},
        ],
        "channels": _clauses(M.DASH, "Đăng tin trên Cổng Thông tin điện tử.", "Tuyên truyền trên hệ thống truyền thanh.",
                             channel="cong-ttdt"),
        "funding": _clauses(M.PARAGRAPH, "Kinh phí thực hiện từ ngân sách nhà nước giao hằng năm."),
        "responsibilities": [
            {"agency": lead_codes[0], "title": "Phòng Nội vụ", "duties": _clauses(
                M.DASH, "Chủ trì tổ chức thực hiện công tác tuyên truyền cải cách hành chính.",
                "Theo dõi, tổng hợp kết quả thực hiện.")},
            {"agency": lead_codes[-1], "title": "Ủy ban nhân dân các xã", "duties": _clauses(
                M.PARAGRAPH, "Tổ chức tuyên truyền trên địa bàn.")},
            {"agency": request_body.code, "title": "Ủy ban Mặt trận Tổ quốc và các tổ chức chính trị - xã hội huyện",
             "is_request": True, "duties": _clauses(M.PARAGRAPH, "Phối hợp tuyên truyền về cải cách hành chính.")},
        ],
        "recipients": ["UBND tỉnh", "Các cơ quan, đơn vị", "Lưu: VTVP"],
        "closing_text": "Trên đây là Kế hoạch tuyên truyền cải cách hành chính của huyện./.",
        "signer": {"authority": ["TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH"], "position": "PHÓ CHỦ TỊCH",
                   "name": "Nhữ Văn Chuyên"},
        "tasks": [
            {"content": f"Nhiệm vụ {n}: đăng tải tin, bài về cải cách hành chính và thủ tục hành chính "
                        "trên Cổng Thông tin điện tử, hệ thống truyền thanh cơ sở và trang mạng xã hội",
             "area": "tthc", "channel": "cong-ttdt", "lead": lead_codes[n % len(lead_codes)],
             "timeframe": "Hằng quý", "deadline": f"{year}-12-31", "budget": 1_000_000 * n,
             "product": "Tin, bài được đăng tải; báo cáo kết quả thực hiện gửi Phòng Nội vụ"}
            for n in range(1, tasks + 1)
        ],
    })


def plan_issued_short(*, issuer=None) -> Plan:
    """An issued provincial plan without channels, organisation, recipients or
    appendix (like seed 000): 255/KH-UBND of Thừa Thiên Huế, 12/12/2019."""
    issuer = issuer or province_agency("TTH", "Thừa Thiên Huế")
    return services.plan_create_from_data(data={
        "issuer": issuer.code, "kind": Plan.Kind.YEARLY, "year_start": 2020, "year_end": 2020,
        "number": 255, "symbol": "KH-UBND", "issue_date": "2019-12-12", "status": Plan.Status.ISSUED,
        "place": issuer.place_name,
        "title": f"Tuyên truyền cải cách hành chính trên địa bàn {issuer.name.removeprefix('Ủy ban nhân dân ')} năm 2020",
        "basis": [{"verb": "Căn cứ", "text": "Quyết định số 1/QĐ-UBND về cải cách hành chính giai đoạn 2016 - 2020"},
                  {"verb": "Căn cứ", "text": "Kế hoạch số 2/KH-UBND về cải cách hành chính năm 2020"}],
        "basis_lead_in": "Ủy ban nhân dân tỉnh xây dựng Kế hoạch với những nội dung sau:",
        "purposes": _clauses(M.DASH, "Nâng cao nhận thức về cải cách hành chính.", "Tạo chuyển biến trong thực thi công vụ.",
                             "Phát huy vai trò giám sát của người dân."),
        "requirements": _clauses(M.DASH, "Bám sát kế hoạch cải cách hành chính.", "Đa dạng hình thức tuyên truyền.",
                                 "Bảo đảm tiết kiệm, hiệu quả."),
        "content": _clauses(M.LETTER, "Cải cách thể chế.", "Cải cách thủ tục hành chính.", "Xây dựng chính quyền điện tử."),
        "signer": {"authority": ["TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH"], "position": "PHÓ CHỦ TỊCH",
                   "name": "Phan Thiên Định"},
    })


def plan_without_requirements(*, issuer=None, leads=()) -> Plan:
    """An issued plan with purposes, content, organisation and tasks but no
    requirements and no signer (like seed 002), by default of Quảng Nam and
    two of its departments."""
    if issuer is None:
        issuer = province_agency("QNA", "Quảng Nam")
        leads = [department_agency(issuer, f"QNA-{abbr}", name, abbr)
                 for abbr, name in (("SNV", "Sở Nội vụ"), ("STTTT", "Sở Thông tin và Truyền thông"))]
    return services.plan_create_from_data(data={
        "issuer": issuer.code, "kind": Plan.Kind.YEARLY, "year_start": 2018, "year_end": 2018,
        "number": 1572, "symbol": "KH-UBND", "issue_date": "2018-03-29", "status": Plan.Status.ISSUED,
        "place": issuer.place_name, "title": "Tuyên truyền cải cách hành chính tỉnh năm 2018",
        "purposes": _clauses(M.NUMBER, "Mục đích thứ nhất của kế hoạch.", "Mục đích thứ hai.", "Mục đích thứ ba."),
        "content": _clauses(M.NUMBER, "Tuyên truyền các văn bản chỉ đạo.", "Tuyên truyền về chỉ số cải cách hành chính.",
                            "Tuyên truyền về mô hình mới."),
        "responsibilities": [
            {"agency": lead.code, "title": lead.name, "duties": _clauses(M.DASH, f"{lead.name} tổ chức tuyên truyền.")}
            for lead in leads
        ],
        "tasks": [{"content": f"Tuyên truyền tại {lead.name}", "lead": lead.code, "deadline": "2018-12-31"}
                  for lead in leads],
    })


def plan_period_draft(*, issuer=None) -> Plan:
    """A department's 2021-2025 draft without funding (like seed 004): content
    numbered 1.1., 1.2. with lettered points down to đ); by default of the
    Bình Định transport department."""
    issuer = issuer or department_agency(province_agency("BDI", "Bình Định"), "BDI-SGTVT",
                                         "Sở Giao thông vận tải", "SGTVT")
    return services.plan_create_from_data(data={
        "issuer": issuer.code, "kind": Plan.Kind.PERIOD, "year_start": 2021, "year_end": 2025,
        "symbol": f"KH-{issuer.abbreviation}", "draft_month": 1, "draft_year": 2022, "status": Plan.Status.DRAFT,
        "place": issuer.place_name,
        "title": "Thông tin, tuyên truyền cải cách hành chính nhà nước giai đoạn 2021 - 2025 của Sở",
        "basis": [{"verb": "Căn cứ", "text": "Kế hoạch số 30/KH-UBND của Ủy ban nhân dân tỉnh giai đoạn 2021 - 2025"}],
        "basis_lead_in": "Sở ban hành Kế hoạch thông tin, tuyên truyền cải cách hành chính, cụ thể như sau:",
        "purposes": _clauses(M.LETTER, "Cung cấp thông tin về cải cách hành chính.", "Nâng cao nhận thức.",
                             "Tạo đồng thuận xã hội."),
        "requirements": _clauses(M.LETTER, "Thông tin kịp thời, chính xác.", "Phù hợp với từng đối tượng."),
        "content": [
            {"marker": M.NUMBER, "text": "Quan điểm chỉ đạo của Đảng về cải cách hành chính:",
             "children": _clauses(M.LETTER, "Tầm quan trọng của cải cách hành chính.", "Các chủ trương của Đảng.",
                                  "Vai trò của người đứng đầu.", "Kết quả triển khai nghị quyết.",
                                  "Tình hình triển khai, kết quả, hiệu quả việc thực hiện cải cách hành chính.")},
            {"marker": M.NUMBER, "text": "Quan điểm chỉ đạo, các nhiệm vụ trọng tâm của Sở."},
        ],
        "channels": _clauses(M.DASH, "Thông tin trên trang thông tin điện tử của Sở.", channel="cong-ttdt"),
        "responsibilities": [
            {"title": "Văn phòng Sở", "duties": _clauses(M.DASH, "Chủ trì triển khai Kế hoạch.")},
            {"title": "Các phòng, đơn vị trực thuộc Sở", "duties": _clauses(M.DASH, "Phối hợp thực hiện.")},
        ],
        "recipients": ["Ủy ban nhân dân tỉnh", "Lưu: VT, VP"],
        "signer": {"authority": [], "position": "GIÁM ĐỐC", "name": "Trần Thanh Dũng"},
        "tasks": [{"content": f"Thông tin về cải cách hành chính, đợt {n}", "channel": "cong-ttdt",
                   "lead": issuer.code, "deadline": "2025-12-31"} for n in range(1, 4)],
    })
