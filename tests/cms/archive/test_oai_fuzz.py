"""Hostile OAI-PMH requests (hypothesis): any verb, any argument names and values (control
characters, surrogates of every script, huge values, repeats, forged tokens), by GET or
POST. Every answer is a 200 with a well-formed OAI-PMH document — a result or one of the
protocol's error codes — never a 500."""

from __future__ import annotations

import datetime as dt
import os
from typing import Any
from urllib.parse import quote

import pytest
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from .test_oai import NS, bulk_rows

ERROR_CODES = {
    "badVerb",
    "badArgument",
    "badResumptionToken",
    "cannotDisseminateFormat",
    "idDoesNotExist",
    "noRecordsMatch",
    "noMetadataFormats",
    "noSetHierarchy",
}
VERBS = ["Identify", "ListMetadataFormats", "ListSets", "GetRecord", "ListIdentifiers"]
VERBS.append("ListRecords")
ARGUMENTS = ["metadataPrefix", "identifier", "from", "until", "set", "resumptionToken"]

values = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=300),
    st.sampled_from(
        [
            "oai_dc",
            "vn_cms",
            "2025-01-01",
            "2025-01-01T00:00:00Z",
            "2025-02-30",
            "9999-12-31T23:59:59Z",
            "0000-01-01",
            "-2025-01-01",
            "2025-01-01T24:00:00Z",
            "language:km",
            "topic:",
            ":",
            "oai:archive.test.vn:",
            "oai:archive.test.vn:00000000-0000-0000-0000-000000000000",
            "a" * 5000,
            "\x00",
            "\ud800",
            "eyJ2IjoiTGlzdFJlY29yZHMifQ:1abc:sig",
            "%00",
            "<x/>",
            "&amp;",
        ]
    ),
)
names = st.one_of(st.sampled_from(ARGUMENTS), st.text(max_size=12))
requests = st.fixed_dictionaries(
    {"verb": st.one_of(st.sampled_from(VERBS), st.text(max_size=20), st.none())},
    optional={"verb_twice": st.booleans()},
).flatmap(
    lambda base: st.tuples(
        st.just(base),
        st.dictionaries(names, st.lists(values, min_size=1, max_size=2), max_size=4),
        st.sampled_from(["get", "post"]),
    )
)


def send(client: Client, verb: Any, twice: bool, arguments: dict[str, list[str]], method: str):
    """The request as bytes on the wire: lone surrogates become invalid UTF-8 (%ED%A0%80)."""
    pairs = [(name, value) for name, values in arguments.items() for value in values]
    if verb is not None:
        pairs += [("verb", verb)] * (2 if twice else 1)
    query = "&".join(
        f"{quote(name, safe='', errors='surrogatepass')}="
        f"{quote(value, safe='', errors='surrogatepass')}"
        for name, value in pairs
    )
    if method == "get":
        return client.generic("GET", f"/oai/?{query}")
    return client.generic(
        "POST", "/oai/", query.encode("ascii"), content_type="application/x-www-form-urlencoded"
    )


@pytest.mark.django_db
def test_hostile_requests_get_protocol_answers_never_a_500(client, settings_fixture) -> None:
    bulk_rows(3, timezone.now() - dt.timedelta(hours=1), spec="language:km")

    @settings(
        max_examples=max(300, int(os.environ.get("CMS_FUZZ_EXAMPLES", 0))),
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        database=None,
    )
    @given(requests)
    def check(request: tuple[dict[str, Any], dict[str, list[str]], str]) -> None:
        base, arguments, method = request
        arguments.pop("verb", None)
        response = send(client, base["verb"], bool(base.get("verb_twice")), arguments, method)
        assert response.status_code == 200, (base, arguments, method)
        root = etree.fromstring(response.content)
        assert root.tag == "{http://www.openarchives.org/OAI/2.0/}OAI-PMH"
        errors = root.findall("o:error", NS)
        for error in errors:
            assert error.get("code") in ERROR_CODES
        if not errors:
            assert base["verb"] in VERBS and not base.get("verb_twice")

    check()


@pytest.fixture
def settings_fixture(settings: Any) -> Any:
    settings.CMS_ARCHIVE = {**settings.CMS_ARCHIVE, "OAI_PAGE_SIZE": 2}
    settings.DEBUG_PROPAGATE_EXCEPTIONS = False
    return settings
