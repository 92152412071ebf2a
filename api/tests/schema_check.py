"""Validate an API response against the response schema the OpenAPI document
(/api/v1/schema/) gives for its operation: the contract tests' check, for
any endpoint (the write endpoints' tests may use it too)."""

from __future__ import annotations

import functools
import re
from typing import Any

from django.test import Client
from django.urls import reverse
from jsonschema import Draft7Validator


@functools.cache
def openapi_document() -> dict:
    response = Client().get(reverse("api:schema"), {"format": "json"})
    assert response.status_code == 200
    return response.json()


def _json_schema(node: Any) -> Any:
    """OpenAPI 3.0's dialect as JSON Schema: `nullable: true` becomes a null alternative."""
    if isinstance(node, list):
        return [_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: _json_schema(value) for key, value in node.items()}
    if node.pop("nullable", False):
        if isinstance(node.get("type"), str) and "enum" not in node:
            node["type"] = [node["type"], "null"]
        else:
            node = {"anyOf": [node, {"type": "null"}]}
    node.pop("readOnly", None)
    node.pop("writeOnly", None)
    return node


def operation_for(path: str, method: str) -> tuple[str, dict]:
    """The OpenAPI path template matching a concrete path, and its operation."""
    document = openapi_document()
    for template, operations in document["paths"].items():
        pattern = "^" + re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(template)) + "$"
        if re.match(pattern, path) and method.lower() in operations:
            return template, operations[method.lower()]
    raise AssertionError(f"{method} {path} is not in the OpenAPI document")


def response_errors(response, *, method: str = "GET") -> list[str]:
    """Why the response does not match its documented schema ([] if it does)."""
    path = response.request["PATH_INFO"]
    _, operation = operation_for(path, method)
    documented = operation.get("responses", {}).get(str(response.status_code))
    if documented is None:
        return [f"{method} {path}: status {response.status_code} is not documented"]
    content = documented.get("content", {}).get("application/json")
    if content is None:
        return []
    document = openapi_document()
    schema = _json_schema({**content["schema"], "components": document.get("components", {})})
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
            for e in Draft7Validator(schema).iter_errors(response.json())]


def assert_matches_schema(response, *, method: str = "GET") -> None:
    errors = response_errors(response, method=method)
    assert not errors, errors[:5]
