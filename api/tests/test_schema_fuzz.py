"""Schema-driven fuzzing of the whole API: schemathesis reads /api/v1/schema/
from the Django app in-process (WSGI, the test's own database transaction)
and calls every operation with data generated from the schema, valid and
not, as a system account (API token) holding roles on the small `tree`. No
answer may be a 5xx, and each must be one the schema documents, with the
body its schema says. Derandomized and bounded: a few examples per
operation, the same ones every run. Written for any operation, so the
write endpoints are covered as they are added."""

from __future__ import annotations

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from accounts.api_tokens import api_token_issue
from reports.tests.factories import report_fill, report_sent, report_world

EXAMPLES = 5
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture
def fuzz_world(tree, personas, settings, empty_cache):
    """The district's issued plan and its reports (the commune's Q1 accepted),
    and a token for the commune (head and drafter) and one for Phòng Nội vụ
    (reviewer): the roles the API's writes ask for."""
    settings.API_THROTTLE_RATE = None  # thousands of calls in a minute: throttling has its own test
    # As Django's test client does: the request signals must not close the
    # test's connection (its transaction holds the world).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    world = report_world(tree=tree, personas=personas)
    report_sent(report_fill(world.report(tree["commune"], "Quý I/2026")), by=personas.head,
                accept_by=personas.reviewer)
    report_fill(world.report(tree["commune"], "6 tháng đầu năm 2026"))
    _, head_key = api_token_issue(name="Hệ thống xã", agency=tree["commune"], roles=["head", "drafter"])
    _, reviewer_key = api_token_issue(name="Hệ thống Nội vụ", agency=tree["home_affairs"], roles=["reviewer"])
    yield {"head": head_key, "reviewer": reviewer_key}
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


# Read when the module is collected (the schema view touches no database);
# each call goes to the same in-process app. (schemathesis.pytest.from_fixture
# would load it per test, but fails on this pytest: Function has no _nodeid.)
schema = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", get_wsgi_application())


FUZZ = settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
                suppress_health_check=list(HealthCheck))


@pytest.mark.django_db
@schema.parametrize()
@FUZZ
def test_as_a_units_head_and_drafter(case, fuzz_world):
    case.call_and_validate(headers={"Authorization": f"Bearer {fuzz_world['head']}"}, checks=CHECKS)


@pytest.mark.django_db
@schema.parametrize()
@FUZZ
def test_as_a_reviewer(case, fuzz_world):
    case.call_and_validate(headers={"Authorization": f"Bearer {fuzz_world['reviewer']}"}, checks=CHECKS)
