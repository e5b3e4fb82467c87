"""OpenAPI 3.1 description of the station API, served at ``/api/stations/v1/openapi.json``.

Hand-written so it reads as documentation; a test checks every API route is described.
"""

from __future__ import annotations

from typing import Any

ID = {"name": "package_id", "in": "path", "required": True, "schema": {"type": "integer"}}
ERROR = {"$ref": "#/components/schemas/Error"}


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
DOWNLOAD_HEADERS = [
    {
        "name": "Range",
        "in": "header",
        "required": False,
        "schema": {"type": "string", "examples": ["bytes=1048576-"]},
        "description": "One byte range, to resume an interrupted download.",
    },
    {
        "name": "If-Range",
        "in": "header",
        "required": False,
        "schema": {"type": "string"},
        "description": "The ETag received earlier; the range is served only if it still "
        "matches, otherwise the whole file (200).",
    },
]
DOWNLOAD_RESPONSES = {
    "200": {
        "description": "The whole file. `ETag` is the file's SHA-256 (strong) when the app "
        "or nginx serves it.",
        "content": {"application/octet-stream": {"schema": {"type": "string"}}},
    },
    "206": {"description": "The requested range, with `Content-Range`."},
    "302": {"description": "On S3 storage: a short-lived presigned URL to fetch instead."},
    "416": {"description": "Unsatisfiable range; `Content-Range: bytes */<size>`."},
    **COMMON_ERRORS,
    **NOT_FOUND,
}


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
                            "schema": {"type": "string"},
                            "description": "Opaque cursor: `next_cursor` of the previous call.",
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
                        "400": response("Invalid cursor or limit.", ERROR),
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
                    "responses": DOWNLOAD_RESPONSES,
                }
            },
            "/packages/{package_id}/files/{path}": {
                "get": {
                    "operationId": "downloadFile",
                    "summary": "One file of the bag, by its path in the bag (resumable).",
                    "parameters": [
                        ID,
                        {
                            "name": "path",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "string"},
                            "description": "e.g. `data/vi/01 - Quyền trẻ em.mp3`, "
                            "percent-encoded UTF-8.",
                        },
                        *DOWNLOAD_HEADERS,
                    ],
                    "responses": DOWNLOAD_RESPONSES,
                }
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
                                    "properties": {
                                        "aired_at": {"type": "string", "format": "date-time"},
                                        "items": {
                                            "type": "array",
                                            "items": {"type": "integer"},
                                            "description": "Item ids (from the manifest); "
                                            "empty means all.",
                                        },
                                    },
                                }
                            }
                        },
                    },
                    "responses": {
                        "201": response("Airing recorded."),
                        "400": response("Invalid time or unknown item.", ERROR),
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
