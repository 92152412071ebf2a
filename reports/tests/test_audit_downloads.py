"""Downloads of evidence, the BC, the summary export and the plan's document
are written to the audit log (accounts.AuditEvent); a refused one is not."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import AuditEvent
from reports.tests.factories import PDF
from reports.tests.test_reports import Q1, YEAR, line_post

Action = AuditEvent.Action


def events(action):
    return list(AuditEvent.objects.filter(action=action))


def test_evidence_download_is_logged_and_a_refused_one_is_not(client, world, tree, personas, neighbour):
    report = world.report(tree["commune"], YEAR)
    personas.login(client, "head")
    client.post(reverse("reports:detail", args=[report.pk]),
                line_post(report, action="upload") | {"file": SimpleUploadedFile("bien-ban.pdf", PDF, "application/pdf")})
    evidence = report.evidence.get()
    url = reverse("reports:evidence", args=[report.pk, evidence.pk])
    assert client.get(url, REMOTE_ADDR="10.4.4.4").status_code == 200
    [event] = events(Action.DOWNLOAD_EVIDENCE)
    assert event.user == personas.head and event.ip_address == "10.4.4.4"
    assert (event.object_type, event.object_id) == ("reports.Evidence", str(evidence.pk))
    client.logout()
    assert client.login(username=neighbour[1].username, password=personas.password)  # another commune's head
    assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302
    assert len(events(Action.DOWNLOAD_EVIDENCE)) == 1


def test_bc_and_summary_export_are_logged(client, world, personas, neighbour):
    period = world.periods[Q1]
    personas.login(client, "reviewer")
    assert client.get(reverse("reports:summary_document", args=[period.pk, "docx"])).status_code == 200
    assert client.get(reverse("reports:summary_xlsx", args=[period.pk])).status_code == 200
    [bc] = events(Action.DOWNLOAD_SUMMARY)
    [xlsx] = events(Action.EXPORT_XLSX)
    assert bc.user == xlsx.user == personas.reviewer
    assert period.label in bc.object_repr and period.label in xlsx.object_repr
    client.logout()
    # Wrong role: a commune's head has no summary.
    assert client.login(username=neighbour[1].username, password=personas.password)
    assert client.get(reverse("reports:summary_document", args=[period.pk, "pdf"])).status_code == 403
    assert client.get(reverse("reports:summary_xlsx", args=[period.pk])).status_code == 403
    assert len(events(Action.DOWNLOAD_SUMMARY)) == len(events(Action.EXPORT_XLSX)) == 1


def test_plan_document_download_is_logged(client, world, tree, personas):
    plan = world.plan
    personas.login(client, "drafter")
    assert client.get(reverse("plans:docx", args=[plan.pk])).status_code == 200
    [event] = events(Action.DOWNLOAD_PLAN)
    assert event.user == personas.drafter and event.object_id == str(plan.pk)
    assert event.object_type == "plans.Plan"
    client.logout()
    # The sibling district reads nothing of this district: refused, and nothing logged.
    personas.login(client, "outsider")
    assert client.get(reverse("plans:pdf", args=[plan.pk])).status_code in (403, 404)
    assert len(events(Action.DOWNLOAD_PLAN)) == 1
