"""OAI-PMH 2.0 data provider at ``/oai/``.

Written by hand: there is no maintained OAI-PMH server library for current Django (pyoai
has had no release since 2022 and targets its own Zope-era server glue), and the protocol
is small. XML is built with lxml, so every value is escaped correctly.

Paging is keyset paging on (datestamp, id), never OFFSET: the resumption token carries the
last key sent and the harvest's ``until``, frozen at the first request. Items published
(or changed) while a harvest is running get a datestamp after that frozen ``until`` and are
left for the next incremental harvest, so a harvest returns every record that existed when it
started exactly once, and page 500 costs what page 1 costs (an index range scan).
Tokens are signed (``django.core.signing``), so a forged or damaged token is refused with
``badResumptionToken`` instead of reaching the database.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import uuid
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core import signing
from django.db.models import Exists, Min, OuterRef, Q
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods
from lxml import etree

from cms.archive import conf, oai_formats
from cms.archive.catalog import withheld_keys
from cms.archive.metadata_profile import SCHEMA_PATH
from cms.archive.models import ArchiveItem, ArchiveItemSet

logger = logging.getLogger(__name__)

OAI_NS = "http://www.openarchives.org/OAI/2.0/"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
OAI_SCHEMA = "http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd"
TOKEN_SALT = "cms.archive.oai.resumption"  # noqa: S105 (a namespace, not a secret)
GRANULARITY = "YYYY-MM-DDThh:mm:ssZ"

VERBS: dict[str, dict[str, set[str]]] = {
    # verb: required, optional, exclusive arguments
    "Identify": {"required": set(), "optional": set(), "exclusive": set()},
    "ListMetadataFormats": {"required": set(), "optional": {"identifier"}, "exclusive": set()},
    "ListSets": {"required": set(), "optional": set(), "exclusive": {"resumptionToken"}},
    "GetRecord": {
        "required": {"identifier", "metadataPrefix"},
        "optional": set(),
        "exclusive": set(),
    },
    "ListIdentifiers": {
        "required": {"metadataPrefix"},
        "optional": {"from", "until", "set"},
        "exclusive": {"resumptionToken"},
    },
    "ListRecords": {
        "required": {"metadataPrefix"},
        "optional": {"from", "until", "set"},
        "exclusive": {"resumptionToken"},
    },
}
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_SECONDS = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
_SET_SPEC = re.compile(r"^[A-Za-z0-9\-_.!~*'()]+(:[A-Za-z0-9\-_.!~*'()]+)*$")
_XML_SAFE = re.compile(r"^[\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]*$")


_XML_UNSAFE_CHAR = re.compile(r"[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


class OAIError(Exception):
    def __init__(self, code: str, message: str) -> None:
        # The message may quote the request (an argument's name): keep it to characters
        # XML can carry, and short.
        message = _XML_UNSAFE_CHAR.sub("\ufffd", message)
        message = message if len(message) <= 300 else message[:300] + "…"
        super().__init__(message)
        self.code = code
        self.message = message


def page_size() -> int:
    return max(1, int(conf.get("OAI_PAGE_SIZE")))


def repository_id() -> str:
    return str(conf.get("OAI_REPOSITORY_ID"))


def oai_identifier(translation_key: uuid.UUID | str) -> str:
    return f"oai:{repository_id()}:{translation_key}"


def parse_identifier(identifier: str) -> uuid.UUID:
    prefix = f"oai:{repository_id()}:"
    if not identifier.startswith(prefix):
        raise OAIError("idDoesNotExist", f"unknown identifier {identifier!r}")
    try:
        return uuid.UUID(identifier[len(prefix) :])
    except ValueError as error:
        raise OAIError("idDoesNotExist", f"unknown identifier {identifier!r}") from error


def format_datestamp(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_date(value: str, name: str, upper: bool) -> tuple[dt.datetime, str]:
    """A UTC bound from a day or seconds datestamp; an upper bound covers the whole day or
    second, since records are shown at second granularity but stored to the microsecond."""
    try:
        if _DAY.match(value):
            day = dt.datetime.strptime(value, "%Y-%m-%d").replace(tzinfo=dt.UTC)
            if upper:
                return day + dt.timedelta(days=1) - dt.timedelta(microseconds=1), "day"
            return day, "day"
        if _SECONDS.match(value):
            moment = dt.datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.UTC)
            if upper:
                return moment + dt.timedelta(microseconds=999_999), "seconds"
            return moment, "seconds"
    except ValueError:
        pass
    raise OAIError("badArgument", f"{name} is not a valid UTC datestamp ({GRANULARITY})")


def parse_arguments(request: HttpRequest) -> tuple[str, dict[str, str]]:
    source = request.POST if request.method == "POST" else request.GET
    arguments: dict[str, str] = {}
    repeated = []
    for name, values in source.lists():
        if len(values) != 1:
            repeated.append(name)
        arguments[name] = values[0]
    verb = arguments.pop("verb", None)
    if verb is None or "verb" in repeated or verb not in VERBS:
        raise OAIError("badVerb", "missing, repeated or illegal verb")
    if repeated:
        raise OAIError("badArgument", f"repeated argument: {', '.join(sorted(repeated))}")
    rules = VERBS[verb]
    allowed = rules["required"] | rules["optional"] | rules["exclusive"]
    unknown = sorted(set(arguments) - allowed)
    if unknown:
        raise OAIError("badArgument", f"illegal argument: {', '.join(unknown)}")
    for name, value in arguments.items():
        if not value or not _XML_SAFE.match(value) or len(value) > 4096:
            raise OAIError("badArgument", f"illegal value for {name}")
    exclusive = rules["exclusive"] & set(arguments)
    if exclusive and len(arguments) > 1:
        raise OAIError("badArgument", "resumptionToken must be the only argument")
    if not exclusive:
        missing = sorted(rules["required"] - set(arguments))
        if missing:
            raise OAIError("badArgument", f"missing argument: {', '.join(missing)}")
    return verb, arguments


# --- Responses -----------------------------------------------------------------------


def _el(parent: Any, name: str, text: str | None = None, **attributes: str) -> Any:
    element = etree.SubElement(parent, f"{{{OAI_NS}}}{name}", **attributes)
    if text is not None:
        element.text = text
    return element


def envelope(request: HttpRequest, verb: str | None, arguments: dict[str, str]) -> Any:
    root = etree.Element(f"{{{OAI_NS}}}OAI-PMH", nsmap={None: OAI_NS, "xsi": XSI_NS})
    root.set(f"{{{XSI_NS}}}schemaLocation", f"{OAI_NS} {OAI_SCHEMA}")
    _el(root, "responseDate", format_datestamp(timezone.now()))
    attributes = {"verb": verb, **arguments} if verb else {}
    _el(root, "request", base_url(request), **attributes)
    return root


def base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri(reverse("oai"))


def render(root: Any) -> HttpResponse:
    body = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    return HttpResponse(body, content_type="text/xml; charset=utf-8")


def error_response(
    request: HttpRequest, error: OAIError, verb: str | None, arguments: dict[str, str]
) -> HttpResponse:
    # badVerb and badArgument responses must not echo the request's arguments.
    echo = error.code not in ("badVerb", "badArgument")
    root = envelope(request, verb if echo else None, arguments if echo else {})
    _el(root, "error", error.message, code=error.code)
    return render(root)


@csrf_exempt
@require_http_methods(["GET", "POST"])
def endpoint(request: HttpRequest) -> HttpResponse:
    verb: str | None = None
    arguments: dict[str, str] = {}
    try:
        verb, arguments = parse_arguments(request)
        root = envelope(request, verb, arguments)
        HANDLERS[verb](request, root, arguments)
        return render(root)
    except OAIError as error:
        return error_response(request, error, verb, arguments)


def identify(request: HttpRequest, root: Any, arguments: dict[str, str]) -> None:
    node = _el(root, "Identify")
    name = conf.get("OAI_REPOSITORY_NAME") or settings.WAGTAIL_SITE_NAME
    _el(node, "repositoryName", name)
    _el(node, "baseURL", base_url(request))
    _el(node, "protocolVersion", "2.0")
    for email in conf.contact_emails():
        _el(node, "adminEmail", email)
    earliest = catalogued().aggregate(first=Min("datestamp"))["first"]
    _el(node, "earliestDatestamp", format_datestamp(earliest or timezone.now()))
    _el(node, "deletedRecord", "persistent")
    _el(node, "granularity", GRANULARITY)
    description = _el(node, "description")
    ns = "http://www.openarchives.org/OAI/2.0/oai-identifier"
    ident = etree.SubElement(description, f"{{{ns}}}oai-identifier", nsmap={None: ns})
    ident.set(f"{{{XSI_NS}}}schemaLocation", f"{ns} {ns}.xsd")
    for tag, text in (
        ("scheme", "oai"),
        ("repositoryIdentifier", repository_id()),
        ("delimiter", ":"),
        ("sampleIdentifier", oai_identifier("00000000-0000-0000-0000-000000000000")),
    ):
        etree.SubElement(ident, f"{{{ns}}}{tag}").text = text


def formats(request: HttpRequest) -> dict[str, dict[str, str]]:
    table = {name: dict(values) for name, values in oai_formats.FORMATS.items()}
    table["vn_cms"]["schema"] = request.build_absolute_uri(reverse("oai_vn_cms_xsd"))
    return table


def list_metadata_formats(request: HttpRequest, root: Any, arguments: dict[str, str]) -> None:
    if "identifier" in arguments:
        key = parse_identifier(arguments["identifier"])
        if not catalogued().filter(translation_key=key).exists():
            raise OAIError("idDoesNotExist", "unknown identifier")
    node = _el(root, "ListMetadataFormats")
    for prefix, values in formats(request).items():
        entry = _el(node, "metadataFormat")
        _el(entry, "metadataPrefix", prefix)
        _el(entry, "schema", values["schema"])
        _el(entry, "metadataNamespace", values["namespace"])


def available_sets() -> list[tuple[str, str]]:
    """Every set a record can be in: topics, provinces, languages and product types."""
    from cms.taxonomy.models import AdministrativeLevel, AdministrativeUnit, ProductType, Topic

    sets = [
        ("topic", "Chủ đề"),
        ("province", "Tỉnh/thành phố"),
        ("language", "Ngôn ngữ"),
        ("type", "Loại sản phẩm"),
    ]
    for topic in Topic.objects.filter(locale__language_code="vi").order_by("code"):
        sets.append((f"topic:{topic.code}", topic.name))
    provinces = AdministrativeUnit.objects.filter(level=AdministrativeLevel.PROVINCE)
    for unit in provinces.order_by("code"):
        sets.append((f"province:{unit.code}", str(unit)))
    for code, name in settings.LANGUAGES:
        sets.append((f"language:{code}", str(name)))
    for product_type in ProductType.objects.filter(locale__language_code="vi").order_by("code"):
        sets.append((f"type:{product_type.code}", product_type.name))
    return sets


def list_sets(request: HttpRequest, root: Any, arguments: dict[str, str]) -> None:
    if "resumptionToken" in arguments:
        raise OAIError("badResumptionToken", "this repository returns every set at once")
    node = _el(root, "ListSets")
    for spec, name in available_sets():
        entry = _el(node, "set")
        _el(entry, "setSpec", spec)
        _el(entry, "setName", name)


def check_prefix(request: HttpRequest, prefix: str) -> None:
    if prefix not in oai_formats.FORMATS:
        raise OAIError("cannotDisseminateFormat", f"unsupported metadataPrefix {prefix!r}")


def catalogued() -> Any:
    """Rows OAI-PMH shows: every item that was public once (a row made only for the
    archive export of a never-public item has no record and is not shown)."""
    return ArchiveItem.objects.exclude(metadata={})


def shown_sets(memberships: Iterable[tuple[str, bool]], deleted: bool) -> list[str]:
    """A live record's current sets; a deleted record's every set it ever was in."""
    return [spec for spec, current in memberships if deleted or current]


def header(parent: Any, item: ArchiveItem, specs: Iterable[str], deleted: bool) -> None:
    attributes = {"status": "deleted"} if deleted else {}
    node = _el(parent, "header", **attributes)
    _el(node, "identifier", oai_identifier(item.translation_key))
    _el(node, "datestamp", format_datestamp(item.datestamp))
    for spec in sorted(specs):
        _el(node, "setSpec", spec)


def metadata(request: HttpRequest, parent: Any, item: ArchiveItem, prefix: str) -> None:
    node = _el(parent, "metadata")
    if prefix == "oai_dc":
        node.append(oai_formats.oai_dc(item.metadata))
    else:
        node.append(oai_formats.vn_cms(item.metadata, formats(request)["vn_cms"]["schema"]))


def get_record(request: HttpRequest, root: Any, arguments: dict[str, str]) -> None:
    check_prefix(request, arguments["metadataPrefix"])
    key = parse_identifier(arguments["identifier"])
    item = catalogued().filter(translation_key=key).first()
    if item is None:
        raise OAIError("idDoesNotExist", "unknown identifier")
    # An item that is not public now is deleted, even before its row is brought up to
    # date (cms.content.visibility is the one rule; the catalogue follows it on signals).
    deleted = item.deleted or bool(withheld_keys([item.translation_key]))
    node = _el(_el(root, "GetRecord"), "record")
    header(node, item, shown_sets(item.sets.values_list("spec", "current"), deleted), deleted)
    if not deleted:
        metadata(request, node, item, arguments["metadataPrefix"])


def _encode_token(state: dict[str, Any]) -> str:
    return signing.dumps(state, salt=TOKEN_SALT, compress=True)


def _decode_token(token: str, verb: str) -> dict[str, Any]:
    try:
        state = signing.loads(token, salt=TOKEN_SALT)
        if not isinstance(state, dict) or state.get("verb") != verb or state.get("v") != 1:
            raise ValueError("token for another request")
        state["until"] = dt.datetime.fromisoformat(state["until"])
        state["from"] = dt.datetime.fromisoformat(state["from"]) if state["from"] else None
        state["last"] = (dt.datetime.fromisoformat(state["last"][0]), int(state["last"][1]))
        int(state["cursor"])
        int(state["size"])
        return state
    except (signing.BadSignature, ValueError, KeyError, TypeError, IndexError) as error:
        raise OAIError("badResumptionToken", "invalid or expired resumptionToken") from error


def list_items(request: HttpRequest, root: Any, arguments: dict[str, str], verb: str) -> None:
    """ListIdentifiers and ListRecords: one page of the keyset-ordered list."""
    if "resumptionToken" in arguments:
        state = _decode_token(arguments["resumptionToken"], verb)
    else:
        check_prefix(request, arguments["metadataPrefix"])
        since, until = None, timezone.now()
        granularity = {}
        if "from" in arguments:
            since, granularity["from"] = parse_date(arguments["from"], "from", upper=False)
        if "until" in arguments:
            requested, granularity["until"] = parse_date(arguments["until"], "until", upper=True)
            until = min(until, requested)
        if len(set(granularity.values())) > 1:
            raise OAIError("badArgument", "from and until have different granularities")
        spec = arguments.get("set")
        if spec is not None and not _SET_SPEC.match(spec):
            raise OAIError("badArgument", "illegal set spec")
        state = {
            "v": 1,
            "verb": verb,
            "prefix": arguments["metadataPrefix"],
            "set": spec,
            "from": since,
            "until": until,
            "last": None,
            "cursor": 0,
            "size": None,
        }
    queryset = catalogued().filter(datestamp__lte=state["until"])
    if state["from"] is not None:
        queryset = queryset.filter(datestamp__gte=state["from"])
    if state["set"]:
        # Live records by their current sets, deleted ones by every set they were ever in.
        member = ArchiveItemSet.objects.filter(item=OuterRef("pk"), spec=state["set"])
        queryset = queryset.filter(
            Exists(member.filter(current=True)) | (Q(deleted=True) & Exists(member))
        )
    if state["size"] is None:
        state["size"] = queryset.count()
        if not state["size"]:
            raise OAIError("noRecordsMatch", "no records match the request")
    if state["last"] is not None:
        last_date, last_id = state["last"]
        # (datestamp, id) > (last_date, last_id), written so the index range starts at
        # last_date: PostgreSQL cannot use the index for the plain OR form.
        queryset = queryset.filter(datestamp__gte=last_date).filter(
            Q(datestamp__gt=last_date) | Q(id__gt=last_id)
        )
    if verb == "ListIdentifiers":
        queryset = queryset.only("id", "translation_key", "datestamp", "deleted")
    size = page_size()
    rows = list(queryset.order_by("datestamp", "id")[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    specs: dict[int, list[tuple[str, bool]]] = defaultdict(list)
    memberships = ArchiveItemSet.objects.filter(item__in=[r.pk for r in rows])
    for item_id, spec, current in memberships.values_list("item_id", "spec", "current"):
        specs[item_id].append((spec, current))
    withheld = withheld_keys(item.translation_key for item in rows if not item.deleted)
    node = _el(root, verb)
    for item in rows:
        deleted = item.deleted or item.translation_key in withheld
        item_sets = shown_sets(specs[item.pk], deleted)
        if verb == "ListIdentifiers":
            header(node, item, item_sets, deleted)
        else:
            record = _el(node, "record")
            header(record, item, item_sets, deleted)
            if not deleted:
                metadata(request, record, item, state["prefix"])
    cursor = state["cursor"]
    if more:
        following = {
            **state,
            "from": state["from"].isoformat() if state["from"] else None,
            "until": state["until"].isoformat(),
            "last": [rows[-1].datestamp.isoformat(), rows[-1].pk],
            "cursor": cursor + len(rows),
        }
        _el(
            node,
            "resumptionToken",
            _encode_token(following),
            completeListSize=str(max(state["size"], cursor + len(rows) + 1)),
            cursor=str(cursor),
        )
    elif state["last"] is not None:
        _el(
            node,
            "resumptionToken",
            "",
            completeListSize=str(cursor + len(rows)),
            cursor=str(cursor),
        )
    elif not rows:
        raise OAIError("noRecordsMatch", "no records match the request")


def list_identifiers(request: HttpRequest, root: Any, arguments: dict[str, str]) -> None:
    list_items(request, root, arguments, "ListIdentifiers")


def list_records(request: HttpRequest, root: Any, arguments: dict[str, str]) -> None:
    list_items(request, root, arguments, "ListRecords")


HANDLERS = {
    "Identify": identify,
    "ListMetadataFormats": list_metadata_formats,
    "ListSets": list_sets,
    "GetRecord": get_record,
    "ListIdentifiers": list_identifiers,
    "ListRecords": list_records,
}


def vn_cms_xsd(request: HttpRequest) -> HttpResponse:
    return HttpResponse(oai_formats.VN_CMS_XSD, content_type="application/xml; charset=utf-8")


def item_schema(request: HttpRequest) -> HttpResponse:
    return HttpResponse(
        SCHEMA_PATH.read_bytes(), content_type="application/schema+json; charset=utf-8"
    )
