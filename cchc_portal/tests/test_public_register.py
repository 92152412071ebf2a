"""The public register next to the rest of the portal (issue 15, part 2):
reports and evidence are never public. Their pages stay behind the login,
and nothing of a report (its narrative, its figures, its files) reaches a
public page or an open data file."""

import pytest
from django.urls import reverse

from reports import services as report_services
from reports.tests.factories import PDF, report_fill, report_sent, report_world

PUBLIC_FILES = ("public:plans_csv", "public:plans_json", "public:tasks_csv", "public:tasks_json")


@pytest.fixture
def reported(tree, personas, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    world = report_world(tree=tree, personas=personas)
    report = report_fill(world.report(tree["commune"], "Quý I/2026"))
    report.results = "Nhận xét nội bộ của xã Một"
    report.save(update_fields=["results"])
    evidence = report_services.evidence_add(report=report, name="minh-chung-noi-bo.pdf", content=PDF,
                                            content_type="application/pdf", user=personas.head)
    sent = report_sent(report_fill(world.report(tree["home_affairs"], "Quý I/2026")), by=personas.reviewer)
    return {"plan": world.plan, "report": report, "evidence": evidence, "sent": sent}


def test_reports_and_evidence_stay_behind_the_login(client, reported):
    report, evidence, sent = reported["report"], reported["evidence"], reported["sent"]
    urls = [
        reverse("reports:index"), reverse("reports:detail", args=[report.pk]),
        reverse("reports:detail", args=[sent.pk]),
        reverse("reports:evidence", args=[report.pk, evidence.pk]),
        reverse("reports:summary", args=[sent.period_id]), reverse("reports:summary_xlsx", args=[sent.period_id]),
        reverse("plans:detail", args=[reported["plan"].pk]), reverse("plans:pdf", args=[reported["plan"].pk]),
        reverse("dashboard:index"),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login")), url


def test_no_report_reaches_the_register_or_its_open_data(client, reported):
    plan = reported["plan"]
    assert plan.published
    pages = [client.get(reverse("public:register")), client.get(reverse("public:plan", args=[plan.pk])),
             client.get(reverse("public:open_data"))]
    assert all(page.status_code == 200 for page in pages)
    text = "".join(page.content.decode() for page in pages)
    text += "".join(b"".join(client.get(reverse(name)).streaming_content).decode() for name in PUBLIC_FILES)
    assert plan.title in text
    for secret in ("Nhận xét nội bộ của xã Một", "minh-chung-noi-bo", "/reports/", "Quý I/2026"):
        assert secret not in text, secret
