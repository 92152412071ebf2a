"""The national-scale generator itself: what it builds and that it leaves
the demo alone. Moved unchanged from dashboard/tests/test_dashboard.py: these
are about demo data, not the dashboard."""

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from agencies.models import Agency
from demo.scale import ScaleExistsError, scale_generate
from plans.models import Plan
from reports.models import Report, ReportLine


@pytest.fixture
def demo(db, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    call_command("load_demo", stdout=io.StringIO())


def test_generate_scale_builds_every_state_and_refuses_to_run_twice(db):
    out = io.StringIO()
    call_command("generate_scale", provinces=2, communes=20, departments=3, tasks=4, prefix="G", stdout=out)
    # 2 provinces x (UBND + 3 departments) + 20 communes
    assert "28 đơn vị" in out.getvalue()
    agencies = Agency.objects.filter(code__startswith="G-")
    assert agencies.count() == 28 and agencies.filter(kind="province").count() == 2
    assert agencies.filter(is_home_affairs=True).count() == 2
    assert Plan.objects.filter(issuer__in=agencies, status=Plan.Status.ISSUED).count() == 28
    reports = Report.objects.filter(agency__in=agencies)
    assert reports.count() == 28 * 4  # quarters I and III, six months, year
    assert ReportLine.objects.filter(report__in=reports).count() == 28 * 4 * 4
    past = reports.filter(due_date__lt=timezone.localdate())
    assert {r.status for r in past} >= {"accepted", "submitted", "draft"}
    with pytest.raises(ScaleExistsError):
        scale_generate(provinces=1, communes=1, departments=1, tasks=1, prefix="G")


def test_generate_scale_leaves_the_demo_alone(demo):
    before = {a.code: a.name for a in Agency.objects.all()}
    reports = Report.objects.count()
    result = scale_generate(provinces=1, communes=5, departments=2, tasks=2, year=2026,
                            today=dt.date(2026, 11, 22))
    after = {a.code: a.name for a in Agency.objects.exclude(code__startswith="SCALE-")}
    assert after == before and Report.objects.count() == reports + result.reports
