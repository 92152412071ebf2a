"""Plans held as written: the plan's own headings and extra sections, a
basis verb as written, numbers as written ("049"), plans recorded from
paper, a KH issued by a Quyết định, ministries as issuers, composed Unicode."""

import datetime as dt
import unicodedata

import pytest
from django.urls import reverse
from django.utils import timezone

from agencies.models import Agency
from agencies.tests.factories import AgencyFactory
from plans import services
from plans.layout import plan_layout
from plans.models import Clause, Heading, Plan, PlanTransition
from plans.selectors import plan_with_contents
from plans.tests.factories import ClauseFactory, plan_draft, plan_submitted
from plans.tests.pages import post_confirmed

from .test_data_loss import header_post


def heading_rows(rows, lock_version):
    data = {"lock_version": lock_version, "rows-TOTAL_FORMS": str(len(rows)), "rows-INITIAL_FORMS": "0"}
    for i, (pk, level, marker, text, role) in enumerate(rows):
        data |= {f"rows-{i}-id": pk or "", f"rows-{i}-level": level, f"rows-{i}-marker_text": marker,
                 f"rows-{i}-text": text, f"rows-{i}-role": role, f"rows-{i}-ORDER": i + 1}
    return data


def printed(plan):
    plan = plan_with_contents().get(pk=plan.pk)
    lines = []
    for section in plan_layout(plan):
        lines.append(f"{section.label} {section.title}")
        for part in section.parts:
            if part.title:
                lines.append(f"{part.label} {part.title}")
            lines.extend(f"{c.label} {c.paragraphs[0]}".strip() for c in part.clauses)
    return lines


def test_the_headings_page_starts_from_todays_template(client, tree, personas):
    plan = plan_draft(issuer=tree["district"])
    body = personas.login(client, "drafter").get(reverse("plans:edit_headings", args=[plan.pk])).content.decode()
    for text in ("MỤC ĐÍCH, YÊU CẦU", "Mục đích", "Yêu cầu", "NỘI DUNG, HÌNH THỨC TUYÊN TRUYỀN", "KINH PHÍ THỰC HIỆN",
                 "TỔ CHỨC THỰC HIỆN"):
        assert f'value="{text}"' in body


def test_a_drafter_writes_the_plans_own_headings_and_an_extra_section(client, tree, personas):
    plan = plan_draft(issuer=tree["district"])
    personas.login(client, "drafter")
    R = Heading.Role
    response = client.post(reverse("plans:edit_headings", args=[plan.pk]), heading_rows([
        (None, 1, "", "MỤC TIÊU, YÊU CẦU", R.GROUP), (None, 2, "", "Mục tiêu", R.PURPOSE),
        (None, 2, "", "Yêu cầu", R.REQUIREMENT), (None, 1, "", "ĐỐI TƯỢNG", R.OTHER),
        (None, 1, "", "NỘI DUNG TUYÊN TRUYỀN", R.CONTENT), (None, 1, "", "HÌNH THỨC", R.CHANNEL),
    ], plan.lock_version))
    assert response.status_code == 302
    other = plan.headings.get(role=R.OTHER)
    plan.refresh_from_db()
    url = reverse("plans:edit_heading", args=[plan.pk, other.pk])
    response = client.post(url, {
        "lock_version": plan.lock_version, "rows-TOTAL_FORMS": "1", "rows-INITIAL_FORMS": "0", "rows-0-id": "",
        "rows-0-level": "0", "rows-0-marker": "dash", "rows-0-text": "Cán bộ, công chức và người dân.",
        "rows-0-ORDER": "1",
    })
    assert response.status_code == 302
    lines = printed(plan)
    assert lines[:4] == ["I. MỤC TIÊU, YÊU CẦU", "1. Mục tiêu",
                         "1.1. Nâng cao nhận thức của cán bộ, công chức về cải cách hành chính.", "2. Yêu cầu"]
    assert "II. ĐỐI TƯỢNG" in lines and "- Cán bộ, công chức và người dân." in lines
    assert lines.index("III. NỘI DUNG TUYÊN TRUYỀN") > lines.index("II. ĐỐI TƯỢNG")
    detail = client.get(reverse("plans:detail", args=[plan.pk])).content.decode()
    assert "MỤC TIÊU, YÊU CẦU" in detail and "ĐỐI TƯỢNG" in detail and "MỤC ĐÍCH, YÊU CẦU" not in detail


def test_a_heading_that_still_holds_text_cannot_be_removed_and_nothing_is_written(client, tree, personas):
    plan = plan_draft(issuer=tree["district"])
    other = Heading.objects.create(plan=plan, position=1, text="ĐỐI TƯỢNG", role=Heading.Role.OTHER)
    ClauseFactory(plan=plan, section=Clause.Section.OTHER, heading=other, text="Người dân.")
    plan.refresh_from_db()
    personas.login(client, "drafter")
    response = client.post(reverse("plans:edit_headings", args=[plan.pk]), heading_rows(
        [(None, 1, "", "MỤC ĐÍCH", Heading.Role.PURPOSE)], plan.lock_version))
    assert "Phần «ĐỐI TƯỢNG» còn nội dung" in response.content.decode()
    assert list(plan.headings.values_list("text", flat=True)) == ["ĐỐI TƯỢNG"]
    assert plan.clauses.filter(text="Người dân.").exists()


@pytest.mark.parametrize(("persona", "status"), [("drafter", 200), ("head", 200), ("reviewer", 403), ("outsider", 404)])
def test_the_headings_pages_check_role_and_agency(client, tree, personas, persona, status):
    plan = plan_draft(issuer=tree["district"])
    other = Heading.objects.create(plan=plan, position=1, text="ĐỐI TƯỢNG", role=Heading.Role.OTHER)
    personas.login(client, persona)
    assert client.get(reverse("plans:edit_headings", args=[plan.pk])).status_code == status
    assert client.get(reverse("plans:edit_heading", args=[plan.pk, other.pk])).status_code == status


def test_anonymous_users_are_sent_to_log_in(client, tree):
    plan = plan_draft(issuer=tree["district"])
    response = client.get(reverse("plans:edit_headings", args=[plan.pk]))
    assert response.status_code == 302 and "/dang-nhap/" in response["Location"]


def test_kept_markers_print_as_written_even_when_they_skip_or_repeat(tree):
    plan = plan_draft(issuer=tree["district"])
    plan.keep_markers = True
    plan.save()
    for text, written in (("Một", "a)"), ("Hai", "c)"), ("Ba", "c)")):
        ClauseFactory(plan=plan, section=Clause.Section.FUNDING, marker=Clause.Marker.LETTER, marker_text=written,
                      text=text)
    assert ["a) Một", "c) Hai", "c) Ba"] == [line for line in printed(plan) if line[-3:] in ("Một", "Hai", " Ba")]


def test_a_basis_verb_is_kept_as_written(client, tree, personas):
    plan = plan_draft(issuer=tree["district"])
    personas.login(client, "drafter")
    data = header_post(plan) | {"basis-TOTAL_FORMS": "1", "basis-0-id": "", "basis-0-verb": "Xét đề nghị của",
                                "basis-0-text": "Trưởng phòng Nội vụ", "basis-0-ORDER": "1"}
    assert client.post(reverse("plans:edit", args=[plan.pk]), data).status_code == 302
    assert plan.basis_references.get().verb == "Xét đề nghị của"
    assert "Xét đề nghị của Trưởng phòng Nội vụ" in client.get(reverse("plans:detail", args=[plan.pk])).content.decode()


def test_decomposed_unicode_is_stored_composed(client, tree, personas):
    plan = plan_draft(issuer=tree["district"])
    personas.login(client, "drafter")
    typed = unicodedata.normalize("NFD", "Tuyên truyền cải cách hành chính xã Một\x0b")
    assert client.post(reverse("plans:edit", args=[plan.pk]), header_post(plan, title=typed)).status_code == 302
    plan.refresh_from_db()
    assert plan.title == "Tuyên truyền cải cách hành chính xã Một"


def test_symbol_is_editable_and_a_ministry_can_issue(client, personas):
    ministry = AgencyFactory(code="BNV", kind=Agency.Kind.MINISTRY, name="Bộ Nội vụ", abbreviation="BNV")
    unit = AgencyFactory(code="BNV-CCHC", parent=ministry, kind=Agency.Kind.CENTRAL_UNIT,
                         name="Vụ Cải cách hành chính")
    from agencies.models import Membership

    Membership.objects.create(user=personas.drafter, agency=ministry, role=Membership.Role.DRAFTER)
    plan = plan_draft(issuer=ministry)
    personas.login(client, "drafter")
    assert client.post(reverse("plans:edit", args=[plan.pk]), header_post(plan, symbol="KH-BNV")).status_code == 302
    plan.refresh_from_db()
    assert plan.symbol == "KH-BNV" and plan.reference == "/KH-BNV"
    assert unit.get_kind_display() == "Vụ, Cục, đơn vị thuộc Bộ"


def test_a_plan_issued_by_a_decision_needs_the_decisions_symbol_and_title(client, tree, personas):
    plan = plan_draft(issuer=tree["district"])
    personas.login(client, "drafter")
    response = client.post(reverse("plans:edit", args=[plan.pk]), header_post(plan, form="decision"))
    body = response.content.decode()
    assert "Nhập ký hiệu quyết định" in body and "Nhập trích yếu của quyết định" in body
    response = client.post(reverse("plans:edit", args=[plan.pk]), header_post(
        plan, form="decision", decision_number="049", decision_symbol="QĐ-UBND", decision_date="01/03/2026",
        decision_title="Về việc ban hành Kế hoạch tuyên truyền cải cách hành chính năm 2026",
        decision_articles="Điều 1. Ban hành kèm theo Quyết định này Kế hoạch.\nĐiều 2. Quyết định có hiệu lực."))
    assert response.status_code == 302
    plan.refresh_from_db()
    assert (plan.form, plan.decision_number, plan.decision_reference) == ("decision", 49, "049/QĐ-UBND")


@pytest.mark.parametrize(("typed", "reference"), [("049", "049/KH-UBND"), ("9", "09/KH-UBND"), ("1572", "1572/KH-UBND")])
def test_an_issued_number_is_kept_as_written(client, tree, personas, typed, reference):
    plan = plan_submitted(plan_draft(issuer=tree["district"]), user=personas.drafter, on=dt.date(2026, 1, 2))
    personas.login(client, "head")
    response = post_confirmed(client, reverse("plans:issue", args=[plan.pk]), {
        "number": typed, "issue_date": "05/01/2026", "signer_position": "CHỦ TỊCH", "signer_name": "A"})
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.reference == reference


@pytest.mark.parametrize("typed", ["abc", "0", "12a", "١٢"])
def test_a_number_that_is_not_digits_is_refused_next_to_the_field(client, tree, personas, typed):
    plan = plan_draft(issuer=tree["district"])
    services.plan_submit(plan=plan, user=personas.drafter)
    personas.login(client, "head")
    response = post_confirmed(client, reverse("plans:issue", args=[plan.pk]), {
        "number": typed, "issue_date": "05/01/2026", "signer_position": "CHỦ TỊCH", "signer_name": "A"})
    assert "Nhập số văn bản bằng chữ số" in response.content.decode()
    plan.refresh_from_db()
    assert plan.status == Plan.Status.SUBMITTED


def record_post(**overrides):
    return {"number": "049", "issue_date": "12/12/2024", "signer_authority": "TM. ỦY BAN NHÂN DÂN",
            "signer_position": "CHỦ TỊCH", "signer_name": "Nguyễn Văn An", "confirm": "on"} | overrides



@pytest.mark.parametrize(("persona", "status"), [("head", 302), ("admin", 302), ("drafter", 403), ("reviewer", 403),
                                                 ("outsider", 404)])
def test_recording_a_paper_plan_checks_role_and_agency(client, tree, personas, persona, status):
    plan = plan_draft(issuer=tree["district"], year=2025)
    personas.login(client, persona)
    assert client.post(reverse("plans:record", args=[plan.pk]), record_post()).status_code == status


def test_a_recorded_plan_keeps_its_real_number_date_and_signer(client, tree, personas):
    plan = plan_draft(issuer=tree["district"], year=2025)
    personas.login(client, "head")
    assert client.post(reverse("plans:record", args=[plan.pk]), record_post()).status_code == 302
    plan.refresh_from_db()
    assert (plan.status, plan.recorded, plan.reference, plan.issue_date, plan.signer_name) == (
        Plan.Status.ISSUED, True, "049/KH-UBND", dt.date(2024, 12, 12), "Nguyễn Văn An")
    assert PlanTransition.objects.filter(plan=plan).last().comment.startswith("Ghi nhận kế hoạch đã ban hành trên giấy")
    detail = client.get(reverse("plans:detail", args=[plan.pk])).content.decode()
    assert "Số: 049/KH-UBND" in detail or "049/KH-UBND" in detail
    assert "ghi nhận lại trên cổng" in detail


def test_recording_needs_the_confirmation_and_a_date_not_in_the_future(client, tree, personas):
    plan = plan_draft(issuer=tree["district"])
    personas.login(client, "head")
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).strftime("%d/%m/%Y")
    body = client.post(reverse("plans:record", args=[plan.pk]),
                       record_post(confirm="", issue_date=tomorrow)).content.decode()
    assert "Đánh dấu xác nhận trước khi ghi nhận." in body and "Ngày ban hành không được sau hôm nay." in body
    plan.refresh_from_db()
    assert plan.status == Plan.Status.DRAFT and not plan.recorded


def test_text_whose_role_lost_its_heading_still_prints_at_the_end(tree):
    plan = plan_draft(issuer=tree["district"])
    Heading.objects.create(plan=plan, position=1, text="MỤC TIÊU", role=Heading.Role.PURPOSE)
    lines = printed(plan)
    assert lines[0] == "I. MỤC TIÊU"
    # The plan's requirement, content and channel clauses have no heading of their role any more.
    assert "II. YÊU CẦU" in lines and "- Tuyên truyền thường xuyên, đúng trọng tâm." not in lines[:2]
    assert any(line.endswith("Tuyên truyền thường xuyên, đúng trọng tâm.") for line in lines)
    assert "IV. HÌNH THỨC TUYÊN TRUYỀN" in lines


def test_a_paper_plan_cannot_be_recorded_with_a_date_years_before_it(client, tree, personas):
    plan = plan_draft(issuer=tree["district"], year=2025)
    personas.login(client, "head")
    body = client.post(reverse("plans:record", args=[plan.pk]), record_post(issue_date="20/01/2023")).content.decode()
    assert "Ngày ban hành phải trong năm 2024 hoặc trong thời gian của kế hoạch (2025)." in body
    plan.refresh_from_db()
    assert plan.status == Plan.Status.DRAFT


def test_the_headings_tab_refuses_the_duties_as_a_part_or_twice(client, tree, personas):
    plan = plan_draft(issuer=tree["district"])
    personas.login(client, "drafter")
    R = Heading.Role
    body = client.post(reverse("plans:edit_headings", args=[plan.pk]), heading_rows([
        (None, 1, "", "NỘI DUNG", R.CONTENT), (None, 2, "", "Tổ chức thực hiện", R.DUTY)], plan.lock_version),
    ).content.decode()
    assert "phải là phần cấp 1" in body
    body = client.post(reverse("plans:edit_headings", args=[plan.pk]), heading_rows([
        (None, 1, "", "TRÁCH NHIỆM", R.DUTY), (None, 1, "", "TỔ CHỨC THỰC HIỆN", R.DUTY)], plan.lock_version),
    ).content.decode()
    assert "Chỉ một đề mục có vai trò «Tổ chức thực hiện»" in body
    assert not plan.headings.exists()
