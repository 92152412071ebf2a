"""The OpenAPI document is valid OpenAPI 3 and its pages are served from our own files."""

import pytest
from django.urls import reverse
from drf_spectacular.validation import validate_schema


@pytest.mark.django_db
def test_schema_is_valid_openapi_3(client):
    response = client.get(reverse("api:schema"), {"format": "json"})
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    validate_schema(schema)  # raises on an invalid document
    assert "/api/v1/me/" in schema["paths"]


@pytest.mark.django_db
def test_documentation_page_uses_no_cdn(client):
    response = client.get(reverse("api:docs"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "cdn." not in page and "unpkg" not in page and "jsdelivr" not in page
    assert "<style" not in page and "<script>" not in page and "googleapis" not in page


@pytest.mark.django_db
def test_redoc_is_not_served(client):
    assert client.get("/api/v1/redoc/").status_code == 404


@pytest.mark.django_db
def test_anonymous_caller_is_refused(client):
    response = client.get(reverse("api:me"))
    assert response.status_code in (401, 403)
    assert response.json()["detail"]
