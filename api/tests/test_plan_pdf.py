# ruff: noqa: F811  (pytest fixtures imported from plans/tests/test_signing.py, then named as arguments)
"""The plan's PDF through the API: the signed copy once there is one (as
every download), with its signature named in the plan's detail; the same
permission as the plan page."""

from __future__ import annotations

from django.urls import reverse

from accounts.api_tokens import api_token_issue
from accounts.models import AuditEvent
from plans.services import plan_sign_with_agency_certificate
from plans.tests.test_signing import ORG, agency_certificate, ca, media, plan, trusted  # noqa: F401 (fixtures)


def _bearer(client, agency, roles=("reviewer",)):
    _, key = api_token_issue(name="Quản lý văn bản", agency=agency, roles=list(roles))
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def test_the_api_serves_the_signed_copy_and_names_it_in_the_detail(client, tree, personas, plan,
                                                                     agency_certificate):
    auth = _bearer(client, tree["district"], roles=("drafter",))
    detail = client.get(reverse("api:plan_detail", args=[plan.pk]), **auth).json()
    assert detail["signed_copy"] is None and detail["published"] is True
    unsigned = client.get(detail["pdf_url"], **auth)
    assert unsigned.status_code == 200 and unsigned.content.startswith(b"%PDF")

    plan_sign_with_agency_certificate(plan=plan, user=personas.head)
    detail = client.get(reverse("api:plan_detail", args=[plan.pk]), **auth).json()
    assert detail["signed_copy"]["signer_organisation"] == ORG
    signed = client.get(detail["pdf_url"], **auth)
    assert signed.status_code == 200 and signed.content != unsigned.content
    assert "-ky-so.pdf" in signed["Content-Disposition"] and signed["Cache-Control"] == "private, no-store"
    downloads = AuditEvent.objects.filter(action="download_plan", object_id=str(plan.pk))
    assert downloads.count() == 2
    # Logged with the token that downloaded, as the writes are.
    assert all(event.api_token is not None and event.api_token.agency == tree["district"] for event in downloads)


def test_the_plan_pdf_is_refused_outside_the_plan_page_rules(client, tree, personas, plan):
    url = reverse("api:plan_pdf", args=[plan.pk])
    assert client.get(url).status_code == 401
    outsider = _bearer(client, tree["district2"], roles=("drafter", "head"))
    response = client.get(url, **outsider)
    assert response.status_code == 404 and "không có quyền" in response.json()["detail"]
    assert not AuditEvent.objects.filter(action="download_plan").exists()
