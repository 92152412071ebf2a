"""Issue 14 point 1: inputs that used to answer HTTP 500, each pinned here."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from plans.models import Clause, Plan
from plans.tests.factories import plan_draft


def _client(personas, who: str) -> Client:
    client = Client(raise_request_exception=True)
    personas.login(client, who)
    return client


def _row_counts() -> dict[str, int]:
    from django.apps import apps

    return {m._meta.label: m._default_manager.count() for m in apps.get_models()
            if m._meta.managed and not m._meta.proxy}


@pytest.mark.parametrize("field", ["TOTAL_FORMS", "INITIAL_FORMS", "MIN_NUM_FORMS", "MAX_NUM_FORMS"])
@pytest.mark.parametrize("value", ["abc", "", "1.5", "1e10", "NaN", "-1", "99999999999999999999999999999"])
def test_formset_management_fields_garbled_on_a_section_page(personas, tree, field, value):
    plan = plan_draft(issuer=tree["district"], created_by=personas.drafter)
    client = _client(personas, "drafter")
    url = reverse("plans:edit_section", args=[plan.pk, "muc-dich"])
    before = list(Clause.objects.filter(plan=plan).values_list("pk", "text"))
    data = {"rows-TOTAL_FORMS": "1", "rows-INITIAL_FORMS": "0", "rows-MIN_NUM_FORMS": "0",
            "rows-MAX_NUM_FORMS": "1000", "rows-0-level": "0", "rows-0-marker": "number",
            "rows-0-text": "Mới", "rows-0-ORDER": "1", "lock_version": str(plan.lock_version)}
    data[f"rows-{field}"] = value
    response = client.post(url, data)
    if field in ("MIN_NUM_FORMS", "MAX_NUM_FORMS") and response.status_code == 302:
        # Django does not read these from the post when they are well-formed: the row is simply saved.
        assert value in ("", "-1", "99999999999999999999999999999")
        return
    assert response.status_code == 200, response.status_code
    body = response.content.decode()
    assert "Dữ liệu gửi lên không đầy đủ hoặc đã bị thay đổi" in body or "quá nhiều dòng" in body, body[:500]
    assert list(Clause.objects.filter(plan=plan).values_list("pk", "text")) == before


@pytest.mark.parametrize("page", ["edit", "edit_headings", "edit_responsibilities"])
@pytest.mark.parametrize("value", ["abc", "1e10", "NaN", "-1"])
def test_formset_management_fields_garbled_on_every_formset_page(personas, tree, page, value):
    plan = plan_draft(issuer=tree["district"], created_by=personas.drafter)
    client = _client(personas, "drafter")
    url = reverse(f"plans:{page}", args=[plan.pk])
    prefix = "basis" if page == "edit" else "rows"
    form_page = client.get(url)
    assert form_page.status_code == 200
    before = _row_counts()
    version = Plan.objects.get(pk=plan.pk).lock_version
    response = client.post(url, {f"{prefix}-TOTAL_FORMS": value, f"{prefix}-INITIAL_FORMS": "0",
                                 "lock_version": str(version), "year_start": "2026", "kind": "yearly",
                                 "title": "Kế hoạch", "place": "Bình Giang"})
    assert response.status_code == 200, response.status_code
    assert "Dữ liệu gửi lên không đầy đủ hoặc đã bị thay đổi" in response.content.decode()
    assert _row_counts() == before
    assert Plan.objects.get(pk=plan.pk).lock_version == version
