"""OpenAPI 3.1 description of the station API, served at ``/api/stations/v1/openapi.json``.

Hand-written so it reads as documentation; a test checks every API route is described.
"""

from __future__ import annotations

from typing import Any

ID = {"name": "package_id", "in": "path", "required": True, "schema": {"type": "integer"}}
ERROR = {"$ref": "#/components/schemas/Error"}
FILE_PATH = {
    "name": "path",
    "in": "path",
    "required": True,
    "schema": {"type": "string"},
    "description": "e.g. `data/vi/01 - Quyền trẻ em.mp3`, percent-encoded UTF-8.",
}


def response(description: str, schema: dict[str, Any] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"description": description}
    if schema is not None:
        body["content"] = {"application/json": {"schema": schema}}
    return body


COMMON_ERRORS = {
    "401": response("No token, or an unknown, revoked or expired token.", ERROR),
    "429": response("Too many failed token attempts from this address.", ERROR),
}
NOT_FOUND = {
    "404": response(
        "No such package for this station (the same answer whether it exists or not).", ERROR
    )
}


def header(name: str, description: str, **schema: Any) -> dict[str, Any]:
    return {
        "name": name,
        "in": "header",
        "required": False,
        "schema": {"type": "string", **schema},
        "description": description,
    }


CONDITIONAL_HEADERS = [
    header(
        "If-None-Match",
        "`*` or a list of ETags (weak comparison, `W/` allowed): 304 when one matches "
        "(RFC 9110 §13.1.2), even with a Range.",
    ),
    header(
        "If-Match",
        "`*` or a list of ETags (strong comparison): 412 when none matches (RFC 9110 §13.1.1).",
    ),
    header("If-Modified-Since", "HTTP-date; ignored with If-None-Match (RFC 9110 §13.1.3)."),
    header("If-Unmodified-Since", "HTTP-date; ignored with If-Match (RFC 9110 §13.1.4)."),
]
DOWNLOAD_HEADERS = [
    header(
        "Range",
        "One byte range, to resume an interrupted download (ignored on HEAD).",
        examples=["bytes=1048576-"],
    ),
    header(
        "If-Range",
        "The ETag received earlier; the range is served only if it still matches "
        "(strong comparison), otherwise the whole file (200).",
    ),
    *CONDITIONAL_HEADERS,
]
FILE_HEADERS = {
    "ETag": {"description": "The file's SHA-256, quoted (strong).", "schema": {"type": "string"}},
    "Accept-Ranges": {"schema": {"type": "string", "const": "bytes"}},
}


def download_responses(media_type: str, head: bool = False) -> dict[str, Any]:
    """The answers of a download (GET) or of its HEAD (headers only, Range ignored).

    304, 412 and 416 have no body (RFC 9110 §15.4.5, §15.5.13, §15.5.17), like nginx's."""
    whole: dict[str, Any] = {
        "description": "The whole file (on HEAD: its headers, with the full Content-Length). "
        "`ETag` is the file's SHA-256 (strong) when the app or nginx serves it.",
        "headers": FILE_HEADERS,
    }
    if not head:
        whole["content"] = {media_type: {"schema": {"type": "string", "format": "binary"}}}
    answers: dict[str, Any] = {"200": whole}
    if not head:
        answers["206"] = {
            "description": "The requested range, with `Content-Range`.",
            "content": {media_type: {"schema": {"type": "string", "format": "binary"}}},
        }
    answers.update(
        {
            "302": {"description": "On S3 storage: a short-lived presigned URL to fetch instead."},
            "304": {
                "description": "Not modified: If-None-Match (or If-Modified-Since) matched; no "
                "body, with the ETag.",
                "headers": {"ETag": FILE_HEADERS["ETag"]},
            },
            "412": {
                "description": "Precondition failed: If-Match or If-Unmodified-Since; no body."
            },
        }
    )
    if not head:
        answers["416"] = {
            "description": "Unsatisfiable or malformed range: `Content-Range: bytes */<size>`, "
            "no body."
        }
    answers["503"] = response(
        "The stored file differs from the released one (`integrity_check_failed`): "
        "try again later.",
        ERROR,
    )
    return {**answers, **COMMON_ERRORS, **NOT_FOUND}


def schema(server_url: str) -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Station distribution API",
            "version": "1.0.0",
            "description": "Broadcast packages for district and commune radio stations, "
            "loudspeaker clusters and digital boards: list new packages since a cursor, "
            "read a manifest, download the BagIt bag (zip) or single files with resume, "
            "confirm receipt (with the SHA-256 computed) and airing.",
        },
        "servers": [{"url": server_url}],
        "security": [{"bearer": []}],
        "paths": {
            "/station": {
                "get": {
                    "operationId": "getStation",
                    "summary": "The station this token belongs to.",
                    "responses": {
                        "200": response("The station.", {"$ref": "#/components/schemas/Station"}),
                        **COMMON_ERRORS,
                    },
                }
            },
            "/packages": {
                "get": {
                    "operationId": "listPackages",
                    "summary": "Packages that became available after the cursor, oldest first.",
                    "parameters": [
                        {
                            "name": "since",
                            "in": "query",
                            "required": False,
                            "schema": {"type": "string", "minLength": 1},
                            "description": "Opaque cursor: `next_cursor` of the previous call "
                            "(base64url without padding). Anything else is a 400 "
                            '`{"error": "invalid_cursor"}`.',
                        },
                        {
                            "name": "limit",
                            "in": "query",
                            "required": False,
                            "schema": {"type": "integer", "minimum": 1, "maximum": 200},
                        },
                    ],
                    "responses": {
                        "200": response(
                            "A page of packages.", {"$ref": "#/components/schemas/PackageList"}
                        ),
                        "400": response(
                            "`invalid_cursor`: `since` is not a cursor this API issued "
                            "(not base64url of its JSON position); `invalid_limit`: `limit` "
                            "is not an integer from 1 to 200.",
                            ERROR,
                        ),
                        **COMMON_ERRORS,
                    },
                }
            },
            "/packages/{package_id}": {
                "get": {
                    "operationId": "getManifest",
                    "summary": "The package manifest: files with size and SHA-256, rundown.",
                    "parameters": [ID],
                    "responses": {
                        "200": response("The manifest.", {"$ref": "#/components/schemas/Manifest"}),
                        **COMMON_ERRORS,
                        **NOT_FOUND,
                    },
                }
            },
            "/packages/{package_id}/bag.zip": {
                "get": {
                    "operationId": "downloadBag",
                    "summary": "The whole BagIt bag as one zip (resumable).",
                    "parameters": [ID, *DOWNLOAD_HEADERS],
                    "responses": download_responses("application/zip"),
                },
                "head": {
                    "operationId": "headBag",
                    "summary": "The zip's headers (size, ETag) without the bytes.",
                    "parameters": [ID, *CONDITIONAL_HEADERS],
                    "responses": download_responses("application/zip", head=True),
                },
            },
            "/packages/{package_id}/files/{path}": {
                "get": {
                    "operationId": "downloadFile",
                    "summary": "One file of the bag, by its path in the bag (resumable).",
                    "parameters": [
                        ID,
                        FILE_PATH,
                        *DOWNLOAD_HEADERS,
                    ],
                    # The file's own type (audio/mpeg, video/mp4, text/plain, ...).
                    "responses": download_responses("*/*"),
                },
                "head": {
                    "operationId": "headFile",
                    "summary": "One file's headers (size, ETag) without the bytes.",
                    "parameters": [ID, FILE_PATH, *CONDITIONAL_HEADERS],
                    "responses": download_responses("*/*", head=True),
                },
            },
            "/packages/{package_id}/receipt": {
                "post": {
                    "operationId": "confirmReceipt",
                    "summary": "Confirm the package was received intact.",
                    "parameters": [ID],
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "required": ["sha256"],
                                    "properties": {
                                        "sha256": {
                                            "type": "string",
                                            "description": "SHA-256 (hex) of the zip, or of "
                                            "the bag's tagmanifest-sha256.txt.",
                                        }
                                    },
                                }
                            }
                        },
                    },
                    "responses": {
                        "200": response(
                            "Receipt recorded.",
                            {
                                "type": "object",
                                "properties": {
                                    "received_at": {"type": "string", "format": "date-time"},
                                    "verified": {"type": "boolean"},
                                },
                            },
                        ),
                        "400": response("No sha256 given.", ERROR),
                        "409": response("The checksum does not match: download again.", ERROR),
                        **COMMON_ERRORS,
                        **NOT_FOUND,
                    },
                }
            },
            "/packages/{package_id}/airings": {
                "post": {
                    "operationId": "confirmAiring",
                    "summary": "Report that items of the package went on air.",
                    "parameters": [ID],
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "required": ["aired_at", "items"],
                                    "properties": {
                                        "aired_at": {"type": "string", "format": "date-time"},
                                        "items": {
                                            "type": "array",
                                            "items": {"type": "integer"},
                                            "minItems": 1,
                                            "description": "Ids of the items that went on "
                                            "air (from the manifest); at least one.",
                                        },
                                    },
                                }
                            }
                        },
                    },
                    "responses": {
                        "201": response("Airing recorded."),
                        "400": response(
                            "No body, no or invalid `aired_at`, no or empty `items`, an "
                            "item not in this package, or a time in the future: nothing "
                            "is recorded.",
                            ERROR,
                        ),
                        **COMMON_ERRORS,
                        **NOT_FOUND,
                    },
                }
            },
            "/openapi.json": {
                "get": {
                    "operationId": "getSchema",
                    "summary": "This document.",
                    "security": [],
                    "responses": {"200": response("OpenAPI 3.1 schema.")},
                }
            },
        },
        "components": {
            "securitySchemes": {
                "bearer": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "A station token (`st_…`), created in the admin and shown once.",
                }
            },
            "schemas": {
                "Error": {
                    "type": "object",
                    "required": ["error"],
                    "properties": {"error": {"type": "string"}},
                },
                "Station": {
                    "type": "object",
                    "properties": {
                        "code": {"type": "string"},
                        "name": {"type": "string"},
                        "kind": {"type": "string"},
                        "languages": {"type": "array", "items": {"type": "string"}},
                        "board_profile": {"type": ["string", "null"]},
                        "token_expires_at": {"type": "string", "format": "date-time"},
                    },
                },
                "PackageSummary": {
                    "type": "object",
                    "required": ["id", "title", "bulletin_class", "manifest_url", "bag"],
                    "properties": {
                        "id": {"type": "integer"},
                        "title": {"type": "string"},
                        "bulletin_class": {"enum": ["normal", "priority", "emergency"]},
                        "air_from": {"type": ["string", "null"], "format": "date-time"},
                        "air_until": {"type": ["string", "null"], "format": "date-time"},
                        "available_at": {"type": "string", "format": "date-time"},
                        "received_at": {"type": ["string", "null"], "format": "date-time"},
                        "aired_at": {"type": ["string", "null"], "format": "date-time"},
                        "manifest_url": {"type": "string", "format": "uri"},
                        "bag": {
                            "type": "object",
                            "properties": {
                                "name": {"type": "string"},
                                "sha256": {"type": "string"},
                                "zip_url": {"type": "string", "format": "uri"},
                                "zip_size": {"type": "integer"},
                                "zip_sha256": {"type": "string"},
                            },
                        },
                    },
                },
                "PackageList": {
                    "type": "object",
                    "required": ["packages", "next_cursor", "has_more", "emergency_pending"],
                    "properties": {
                        "packages": {
                            "type": "array",
                            "items": {"$ref": "#/components/schemas/PackageSummary"},
                        },
                        "next_cursor": {"type": ["string", "null"]},
                        "has_more": {"type": "boolean"},
                        "emergency_pending": {
                            "type": "boolean",
                            "description": "An emergency package is targeted at this station "
                            "and not yet received: poll faster.",
                        },
                        "push_url": {
                            "type": "string",
                            "format": "uri",
                            "description": "Only when the server pushes: this station's "
                            "Server-Sent Events channel (nginx nchan; bearer token, "
                            "`Accept: text/event-stream`). Each event's data is "
                            '`{"package": id, "class": "emergency|priority|normal", '
                            '"priority": n, "url": manifest path}`; a station listening there '
                            "hears of a package within seconds and polls only as a fallback. "
                            "403 for another station's channel or without a token.",
                        },
                    },
                },
                "Manifest": {
                    "allOf": [
                        {"$ref": "#/components/schemas/PackageSummary"},
                        {
                            "type": "object",
                            "properties": {
                                "files": {
                                    "type": "array",
                                    "items": {
                                        "type": "object",
                                        "required": ["path", "size", "sha256", "url"],
                                        "properties": {
                                            "path": {"type": "string"},
                                            "size": {"type": "integer"},
                                            "sha256": {"type": "string"},
                                            "url": {"type": "string", "format": "uri"},
                                        },
                                    },
                                },
                                "rundown": {"type": "array", "items": {"type": "object"}},
                                "missing": {"type": "array", "items": {"type": "object"}},
                                "items": {"type": "array", "items": {"type": "object"}},
                                "receipt_url": {"type": "string", "format": "uri"},
                                "airings_url": {"type": "string", "format": "uri"},
                            },
                        },
                    ]
                },
            },
        },
    }
