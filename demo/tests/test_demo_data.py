"""The seed plans are held in full: counts, signer, number and date, and every
stored text is the seed's own wording (demo/seeds/ keeps the originals)."""

import re
from pathlib import Path

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command

from agencies.models import Agency, Membership
from demo.loader import DEMO_PASSWORD, DEMO_USERS
from plans.models import BasisReference, Clause, Plan, Responsibility, Task

SEEDS_DIR = Path(__file__).resolve().parents[1] / "seeds"
S = Clause.Section


def normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def seed_text(seed: str) -> str:
    (path,) = SEEDS_DIR.glob(f"{seed}_*.txt")
    return normalise(path.read_text(encoding="utf-8"))


@pytest.fixture
def demo(db):
    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    return {
        "000": Plan.objects.get(issuer__code="TTH"),
        "002": Plan.objects.get(issuer__code="QNA"),
        "003": Plan.objects.get(issuer__code="HD-BG", year_start=2025),
        "004": Plan.objects.get(issuer__code="BDI-SGTVT"),
    }


def count(plan, section, *, top_level=False):
    clauses = plan.clauses.filter(section=section)
    return clauses.filter(parent=None).count() if top_level else clauses.count()


# seed: (purposes, requirements, content top-level, content all, channels, funding,
#        responsibilities, recipients, tasks)
EXPECTED_COUNTS = {
    "000": (3, 3, 11, 14, 0, 0, 0, 0, 0),
    "002": (3, 0, 3, 3, 0, 0, 4, 0, 4),
    "003": (3, 3, 5, 13, 8, 2, 9, 8, 14),
    "004": (3, 4, 2, 14, 5, 0, 3, 7, 6),
}


@pytest.mark.parametrize("seed", sorted(EXPECTED_COUNTS))
def test_each_seed_plan_is_stored_with_all_its_parts(demo, seed):
    plan = demo[seed]
    assert (
        count(plan, S.PURPOSE),
        count(plan, S.REQUIREMENT),
        count(plan, S.CONTENT, top_level=True),
        count(plan, S.CONTENT),
        count(plan, S.CHANNEL),
        count(plan, S.FUNDING),
        plan.responsibilities.count(),
        count(plan, S.RECIPIENT),
        plan.tasks.count(),
    ) == EXPECTED_COUNTS[seed]


@pytest.mark.parametrize("seed", ["000", "002", "003", "004"])
def test_every_stored_text_is_the_seed_wording(demo, seed):
    plan, source = demo[seed], seed_text(seed)
    texts = [c.text for c in plan.clauses.all()]
    texts += [r.text for r in BasisReference.objects.filter(plan=plan)]
    texts += [r.title for r in Responsibility.objects.filter(plan=plan) if r.title and seed != "002"]
    texts += [plan.basis_lead_in, plan.closing_text]
    missing = [t for t in texts if t and normalise(t) not in source]
    assert missing == []


def test_seed_003_header_signer_and_sections(demo):
    plan = demo["003"]
    assert plan.status == Plan.Status.DRAFT and plan.number is None and plan.issue_date is None
    assert plan.reference == "/KH-UBND"
    assert plan.title == "Tuyên truyền cải cách hành chính nhà nước huyện Bình Giang năm 2025"
    assert plan.signer_authority.splitlines() == ["TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH"]
    assert (plan.signer_position, plan.signer_name) == ("PHÓ CHỦ TỊCH", "Nhữ Văn Chuyên")
    assert plan.basis_references.count() == 2
    recipients = list(plan.clauses.filter(section=S.RECIPIENT).values_list("text", flat=True))
    assert recipients[0] == "UBND tỉnh Hải Dương" and recipients[-1] == "Lưu: VTVP"
    mttq = plan.responsibilities.get(position=9)
    assert mttq.is_request and mttq.agency.code == "HD-BG-MTTQ"
    assert plan.clauses.filter(section=S.DUTY).count() == 21
    areas = set(plan.clauses.filter(section=S.CONTENT).exclude(area=None).values_list("area__code", flat=True))
    assert {"the-che", "tthc", "bo-may", "cong-vu", "tai-chinh-cong", "chinh-quyen-so"} <= areas


def test_seed_000_is_issued_with_its_number_and_date(demo):
    plan = demo["000"]
    assert plan.status == Plan.Status.ISSUED
    assert plan.reference == "255/KH-UBND"
    assert plan.issue_date.isoformat() == "2019-12-12"
    assert (plan.year_start, plan.year_end) == (2020, 2020)
    assert plan.signer_name == "Phan Thiên Định"
    content = plan.clauses.filter(section=S.CONTENT, parent=None)
    assert content.first().children.count() == 2  # a) has two dash items


def test_seed_002_names_the_duties_of_three_departments(demo):
    plan = demo["002"]
    assert plan.reference == "1572/KH-UBND" and plan.issue_date.isoformat() == "2018-03-29"
    agencies = set(plan.responsibilities.exclude(agency=None).values_list("agency__code", flat=True))
    assert agencies == {"QNA-SNV", "QNA-VP", "QNA-SKHDT"}
    dialogue = plan.tasks.get(lead_agency__code="QNA-SKHDT")
    assert dialogue.timeframe == "6 tháng một lần" and dialogue.channel.code == "doi-thoai"


def test_seed_004_is_a_department_period_plan(demo):
    plan = demo["004"]
    assert plan.kind == Plan.Kind.PERIOD and (plan.year_start, plan.year_end) == (2021, 2025)
    assert plan.reference == "/KH-SGTVT" and plan.place == "Bình Định"
    assert (plan.signer_authority, plan.signer_position, plan.signer_name) == ("", "GIÁM ĐỐC", "Trần Thanh Dũng")
    groups = plan.clauses.filter(section=S.CONTENT, parent=None)
    assert [g.children.count() for g in groups] == [8, 4]


def test_load_demo_is_idempotent(demo):
    counts = (Agency.objects.count(), Plan.objects.count(), Clause.objects.count(), Task.objects.count(),
              Membership.objects.count())
    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert counts == (Agency.objects.count(), Plan.objects.count(), Clause.objects.count(),
                      Task.objects.count(), Membership.objects.count())


def test_demo_users_log_in_and_heads_lead_communes_with_tasks(demo):
    for username in DEMO_USERS:
        assert authenticate(username=username, password=DEMO_PASSWORD) is not None, username
    communes = {}
    for username in ("head", "head2"):
        commune = Agency.objects.get(
            memberships__user__username=username,
            memberships__role=Membership.Role.HEAD,
            kind=Agency.Kind.COMMUNE,
        )
        assert commune.led_tasks.exists()
        communes[username] = commune
    assert communes["head"] != communes["head2"]


def test_historical_units_stay_in_the_tree(demo):
    sgtvt = Agency.objects.get(code="BDI-SGTVT")
    assert not sgtvt.is_active and sgtvt.dissolved_on.isoformat() == "2025-03-01"
    assert sgtvt.successor.code == "BDI-SXD"
    assert sgtvt.plans.exists()  # its plan still belongs to it


def test_the_issued_demo_plans_are_on_the_public_register(demo, client):
    """A fresh `make run` shows a register that is not empty (issue 15)."""
    from django.urls import reverse

    issued = Plan.objects.filter(status=Plan.Status.ISSUED)
    assert issued.count() >= 3 and not issued.filter(published=False).exists()
    body = client.get(reverse("public:register")).content.decode()
    assert f"{issued.count()} kế hoạch" in body
    assert demo["000"].reference in body
    assert client.get(reverse("public:plan", args=[demo["000"].pk])).status_code == 200
    assert client.get(reverse("public:plan", args=[demo["003"].pk])).status_code == (
        200 if demo["003"].status == Plan.Status.ISSUED else 404)
