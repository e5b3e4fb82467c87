"""The station API fuzzed from its own OpenAPI schema (schemathesis, in-process WSGI).

Every operation gets generated requests, valid and invalid, with a real station token:
no 5xx, status codes, content types, headers and bodies as the schema documents them.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance

pytestmark = pytest.mark.django_db

schema = schemathesis.openapi.from_wsgi("/api/stations/v1/openapi.json", get_wsgi_application())


@pytest.fixture(autouse=True)
def keep_test_connection() -> Iterator[None]:
    """As Django's test client does: requests must not close the test's transaction."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def station_token(make_station_user: Any) -> str:
    from cms.stations import tokens

    station = make_station_user().station_membership.station
    return tokens.issue(station, label="fuzz").secret


def positive_data_acceptance_but_foreign_cursors(ctx: Any, response: Any, case: Any) -> Any:
    """schemathesis's "every schema-valid request is accepted", except one answer.

    The ``since`` cursor is opaque: a string is a cursor only if this API issued it
    (base64url of the JSON position of a delivery), which no JSON Schema can express; a
    made-up one is rightly ``400 {"error": "invalid_cursor"}``, as the schema documents.
    Every other schema-valid request must still be accepted."""
    if (
        case.operation.label == "GET /packages"
        and "since" in (case.query or {})
        and response.status_code == 400
        and response.json() == {"error": "invalid_cursor"}
    ):
        return None
    return positive_data_acceptance(ctx, response, case)


def only_unknown_query_parameters(case: Any) -> bool:
    """The request breaks the schema only by query parameters it does not name: the
    documented ones (``since``, ``limit``) are as the schema wants them."""
    query = dict(case.query or {})
    unknown = [name for name in query if name not in ("since", "limit")]
    if not unknown:
        return False
    since, limit = query.get("since"), query.get("limit")
    if since is not None and not (isinstance(since, str) and since):
        return False
    if limit is not None:
        try:
            return 1 <= int(limit) <= 200 and not isinstance(limit, bool | float)
        except (TypeError, ValueError):
            return False
    return True


def negative_data_rejection_but_unknown_parameters(ctx: Any, response: Any, case: Any) -> Any:
    """schemathesis's "every schema-violating request is rejected", except one kind.

    Query parameters the schema does not name are ignored, as HTTP APIs do (a cache-buster
    or a tracking parameter must not break a station's poll); a request whose only fault is
    such a parameter is therefore answered normally. Any fault in a documented parameter,
    header or body must still be rejected."""
    if case.operation.label == "GET /packages" and only_unknown_query_parameters(case):
        return None
    return negative_data_rejection(ctx, response, case)


@schema.parametrize()
@settings(
    max_examples=max(30, int(os.environ.get("CMS_FUZZ_EXAMPLES", 0))),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=True,
)
def test_station_api_conforms_to_its_schema(case: Any, station_token: str) -> None:
    # The brute-force limit (tested in tests/cms/stations) would otherwise answer 429 to
    # every generated request once the bad-token examples pile up.
    cache.clear()
    # All of schemathesis's checks; the two data checks narrowed as explained above.
    case.call_and_validate(
        headers={"Authorization": f"Bearer {station_token}"},
        excluded_checks=[positive_data_acceptance, negative_data_rejection],
        additional_checks=[
            positive_data_acceptance_but_foreign_cursors,
            negative_data_rejection_but_unknown_parameters,
        ],
    )
