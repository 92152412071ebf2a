"""Demo data: the agency trees and the plans of seeds 000, 002, 003 and 004,
with their text as written (demo/data/*.json, transcribed from the
documents kept in demo/seeds/), plus demo users, the demo reports
(demo/reports.py) and the two-tier Hải Phòng (demo/two_tier.py).

Idempotent: agencies are updated by code, users and plans are created once.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction

from agencies.models import Agency, Membership
from agencies.services import COLUMNS, agency_import_rows
from plans.models import Area, Channel, Plan
from plans.reference import reference_lists_ensure
from plans.services import plan_create_from_data
from schedule.calendar import calendar_defaults_ensure
from schedule.models import LevelDeadline, ReportingRule

DATA_DIR = Path(__file__).resolve().parent / "data"
SEED_IDS = ("000", "002", "003", "004")
DEMO_PASSWORD = "demo-cchc-2025"

Role = Membership.Role

# username -> (full name, [(agency code, role)], superuser)
DEMO_USERS: dict[str, tuple[str, list[tuple[str, str]], bool]] = {
    "admin": ("Quản trị hệ thống", [("HD", Role.ADMIN)], True),
    "drafter": ("Nguyễn Thị Lan", [("HD-BG", Role.DRAFTER)], False),
    "reviewer": ("Phạm Minh Đức", [("HD-BG-NV", Role.REVIEWER)], False),
    # head leads UBND thị trấn Kẻ Sặt and, in the demo, also approves the
    # district's plans so one login shows both journeys.
    "head": ("Trần Văn Hùng", [("HD-BG-KS", Role.HEAD), ("HD-BG", Role.HEAD)], False),
    "head2": ("Lê Thị Hoa", [("HD-BG-VH", Role.HEAD)], False),
    # Thành phố Hải Phòng, two tiers since 1/7/2025 (demo/two_tier.py).
    "nv-haiphong": ("Đỗ Quang Huy", [("HP-SNV", Role.REVIEWER)], False),
    "sonv-drafter": ("Vũ Thị Mai", [("HP", Role.DRAFTER), ("HP-SNV", Role.DRAFTER)], False),
    "ubnd-haiphong": ("Nguyễn Minh Quang", [("HP", Role.HEAD)], False),
    "xa-binhgiang": ("Nguyễn Văn Bình", [("HP-XBG", Role.HEAD)], False),
    "xa-duongan": ("Cao Thị Dung", [("HP-XDA", Role.HEAD)], False),
    "phuong-hongbang": ("Ngô Văn Tùng", [("HP-HB", Role.HEAD)], False),
    "phuong-lethanhnghi": ("Trịnh Thị Lan Anh", [("HP-LTN", Role.HEAD)], False),
    "giamdoc-sonv": ("Lương Văn Thành", [("HP-SNV", Role.HEAD)], False),
    "so-vhttdl": ("Hoàng Thị Ngọc", [("HP-SVHTTDL", Role.HEAD)], False),
    "so-tuphap": ("Bùi Văn Long", [("HP-STP", Role.HEAD)], False),
    "so-khcn": ("Đặng Thị Hồng", [("HP-SKHCN", Role.HEAD)], False),
}


@dataclass
class DemoResult:
    agencies_created: int = 0
    agencies_updated: int = 0
    users_created: list[str] = field(default_factory=list)
    plans_created: list[str] = field(default_factory=list)
    reports_created: int = 0


def seed_plans() -> dict[str, Plan]:
    """The four seed plans by issuer code (the demo also issues 2026 plans for HD-BG and HP)."""
    plans = {}
    for seed in SEED_IDS:
        data = load_json(f"plan_{seed}.json")
        plans[data["issuer"]] = Plan.objects.select_related("issuer").get(
            issuer__code=data["issuer"], year_start=data["year_start"], title=data["title"]
        )
    return plans


def load_json(name: str):
    return json.loads((DATA_DIR / name).read_text(encoding="utf-8"))


def _agency_rows() -> list[list]:
    rows = [[name for name, _ in COLUMNS]]
    for item in load_json("agencies.json"):
        rows.append(
            [
                item["code"],
                item["name"],
                item.get("short_name", ""),
                item["kind"],
                item.get("abbreviation", ""),
                item.get("place_name", ""),
                item.get("parent") or "",
                item.get("email", ""),
                "có" if item.get("is_home_affairs") else "không",
                "có" if item.get("is_active", True) else "không",
                item.get("dissolved_on") or "",
                item.get("successor") or "",
            ]
        )
    return rows


@transaction.atomic
def demo_load() -> DemoResult:
    result = DemoResult()
    reference_lists_ensure(Area, Channel)
    calendar_defaults_ensure(ReportingRule, LevelDeadline)
    imported = agency_import_rows(rows=_agency_rows())
    result.agencies_created, result.agencies_updated = imported.created, imported.updated

    User = get_user_model()
    agencies = {a.code: a for a in Agency.objects.all()}
    # One hash for the one public demo password, made once: hashing it per
    # user was most of the load time with the production hasher.
    password = ""
    for username, (full_name, roles, superuser) in DEMO_USERS.items():
        # Vietnamese names read family name first; keep the whole name in one
        # field so get_full_name() prints it in the right order.
        user, created = User.objects.get_or_create(
            username=username,
            defaults={"first_name": full_name, "is_staff": superuser, "is_superuser": superuser,
                      # example.com is reserved for examples (RFC 2606): demo mail goes nowhere real.
                      "email": f"{username}@example.com"},
        )
        if created:
            password = password or make_password(DEMO_PASSWORD)
            user.password = password
            user.save(update_fields=["password"])
            result.users_created.append(username)
        for code, role in roles:
            Membership.objects.get_or_create(user=user, agency=agencies[code], role=role)

    for seed in SEED_IDS:
        data = load_json(f"plan_{seed}.json")
        exists = Plan.objects.filter(
            issuer__code=data["issuer"], year_start=data["year_start"], title=data["title"]
        ).exists()
        if not exists:
            plan_create_from_data(data=data)
            result.plans_created.append(seed)

    from demo.reports import demo_reports_load
    from demo.two_tier import demo_two_tier_load

    result.reports_created = demo_reports_load()
    result.reports_created += demo_two_tier_load()
    from demo.par import demo_par_load

    demo_par_load()
    return result
