"""Every description and summary in the OpenAPI document is Vietnamese: a
docstring of a serializer or a view (drf-spectacular takes them as
descriptions) written in English would show here, and every response has a
description of its own."""

import re

import pytest
from django.urls import reverse

# Common English words, as whole words: none of them is a Vietnamese word.
ENGLISH = re.compile(r"(?<![\w`])(the|of|a|is|are|which|when|its|and|with|from|this|that|returns?|"
                     r"list|field|fields|whose|these|those|only|each|every)(?![\w`)])", re.IGNORECASE)


def _texts(node, where=""):
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("description", "summary") and isinstance(value, str):
                yield f"{where}/{key}", value
            else:
                yield from _texts(value, f"{where}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _texts(value, f"{where}[{index}]")


@pytest.mark.django_db
def test_every_description_in_the_schema_is_vietnamese(client):
    schema = client.get(reverse("api:schema"), {"format": "json"}).json()
    english = [f"{where}: {text[:120]!r}" for where, text in _texts(schema) if ENGLISH.search(text)]
    assert english == [], "\n".join(english)


@pytest.mark.django_db
def test_every_response_has_a_description(client):
    schema = client.get(reverse("api:schema"), {"format": "json"}).json()
    missing = [f"{method.upper()} {path} {status}"
               for path, operations in schema["paths"].items()
               for method, operation in operations.items() if isinstance(operation, dict)
               for status, response in operation.get("responses", {}).items()
               if not response.get("description", "").strip()]
    assert missing == [], missing
