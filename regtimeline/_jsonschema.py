"""The JSON Schema (draft 2020-12) of the JSON Lines format, generated from the classes.

Each field's schema follows from the converter that checks it in Python, so the schema and
the classes cannot disagree. The package ships the result as ``regtimeline/schema.json``; a
test checks that the shipped file is what this module generates.
"""

from __future__ import annotations

import functools
import re
from typing import Any, Final

import attrs

from . import _events
from . import _fields as f
from ._dispute import Dispute, _jurisdiction, _timezone, iana_zones
from ._enums import Consequence
from ._events import CORRECTION_TYPES, EVENT_TYPES
from .serialization import SCHEMA_VERSION

__all__ = ["check_patterns", "field_patterns", "json_schema"]

#: Digits are written [0-9]: in some validators (Python's re) \d matches any script's digits.
_DATE: Final = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
_INSTANT: Final = (
    _DATE + r"T[0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,6})?)?(Z|[+-][0-9]{2}:[0-9]{2}(:[0-9]{2})?)"
)
#: A month, a year or an EDTF level 0/1 date (the days must exist: the loader checks).
_IMPRECISE: Final = r"([0-9]{4}|[0-9]{3}X|[0-9]{2}XX)(-([0-9]{2}|XX)(-([0-9]{2}|XX))?)?[~?%]?"
_MOMENT: Final = {
    "type": "string",
    "pattern": f"^({_DATE}|{_INSTANT}|{_IMPRECISE})$",
    "description": "a bare date (a whole day in the dispute's zone), an instant with offset, "
    "or a span the sources give only roughly: a month, a year, EDTF level 0/1 ('2021-04~')",
}
_EXACT_MOMENT: Final = {
    "type": "string",
    "pattern": f"^({_DATE}|{_INSTANT})$",
    "description": "a bare date (a whole day in the dispute's zone) or an instant with offset",
}
_SPAN: Final = {
    "type": "string",
    "pattern": (
        r"^P(?!$)([0-9]+Y)?([0-9]+M)?([0-9]+W)?([0-9]+D)?"
        r"(T(?=[0-9])([0-9]+H)?([0-9]+M)?([0-9]+([.,][0-9]{1,6})?S)?)?$"
    ),
    "description": "an ISO 8601 duration: calendar years, months, weeks, days; exact time",
}
_NULL: Final = {"type": "null"}


def _or_null(schema: dict[str, Any]) -> dict[str, Any]:
    return {"anyOf": [schema, _NULL]}


_TEXT: Final = {"type": "string", "maxLength": f.MAX_TEXT_CHARS}
_ID: Final = {"type": "string", "minLength": 1, "maxLength": f.MAX_ID_CHARS, "pattern": r"\S"}
_NAME: Final = {"type": "string", "minLength": 1, "maxLength": f.MAX_NAME_CHARS, "pattern": r"\S"}
_BY_CONVERTER: Final[dict[Any, dict[str, Any]]] = {
    f.text: _TEXT,
    f.event_id: {"type": "string", "maxLength": f.MAX_ID_CHARS},
    f.optional_text: _or_null(_TEXT),
    f.reference: _ID,
    f.optional_reference: _or_null(_ID),
    f.count: {"type": "integer", "minimum": 0, "maximum": f.MAX_COUNT},
    f.amount: {
        "type": "string",
        "pattern": r"^\+?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?$",
        "description": "an exact decimal amount greater than 0, as text",
    },
    f.currency: {"type": "string", "pattern": "^[A-Za-z]{3}$", "description": "ISO 4217"},
    f.consequence: _or_null({"enum": [c.value for c in Consequence]}),
    f.categories: {"type": "array", "items": _NAME, "uniqueItems": True},
    f.moment: _MOMENT,
    f.optional_moment: _or_null(_MOMENT),
    f.optional_exact_moment: _or_null(_EXACT_MOMENT),
    f.optional_span: _or_null(_SPAN),
    _events._scope: {"$ref": "#/$defs/scope"},
    _events._optional_scope: _or_null({"$ref": "#/$defs/scope"}),
    _events._replacement: {"$ref": "#/$defs/fact"},
    _events._window: _or_null({"$ref": "#/$defs/window"}),
    _events._stores: _or_null(
        {"type": "array", "items": _NAME, "minItems": 1, "uniqueItems": True}
    ),
    _jurisdiction: {"type": "string", "pattern": "^[A-Za-z]{2}$", "description": "ISO 3166-1"},
    _timezone: {
        "enum": sorted(iana_zones()),
        "description": "an IANA time zone name (as the tzdata package lists them)",
    },
}


def _object(cls: type, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    properties: dict[str, Any] = dict(extra or {})
    required = list(extra or {})
    if extra:  # an event: its line may say when it was recorded (not inside a correction)
        properties["recorded_at"] = {"$ref": "#/$defs/recorded_at"}
    for field in attrs.fields(cls):
        if not field.init:
            continue
        properties[field.name] = _BY_CONVERTER[field.converter]
        if field.default is attrs.NOTHING:
            required.append(field.name)
    return {
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": False,
    }


def json_schema() -> dict[str, Any]:
    """The JSON Schema of one line of a regtimeline JSON Lines file (header or event).

    Examples:
        >>> json_schema()["$schema"]
        'https://json-schema.org/draft/2020-12/schema'
    """
    events = {cls.kind: _object(cls, {"type": {"const": cls.kind}}) for cls in EVENT_TYPES}
    corrections = {
        cls.kind: _object(cls, {"type": {"const": cls.kind}}) for cls in CORRECTION_TYPES
    }
    line = {
        "description": "an event line: a fact or a correction, and when it was recorded",
        "allOf": [{"oneOf": [{"$ref": f"#/$defs/{kind}"} for kind in [*events, *corrections]]}],
    }
    names = {"type": "array", "items": _NAME, "minItems": 1, "uniqueItems": True}
    box = {
        "type": "object",
        "description": (
            "one box: in each dimension a list of values, or null for every value except "
            "those in the matching `*_except` list"
        ),
        "properties": {
            "networks": {
                "type": "array",
                "items": {"enum": ["fixed", "mobile"]},
                "minItems": 1,
                "uniqueItems": True,
            },
            "services": _or_null(names),
            "regions": _or_null(names),
            "operators": _or_null(names),
            "services_except": names,
            "regions_except": names,
            "operators_except": names,
        },
        "additionalProperties": False,
        "dependentSchemas": {
            f"{d}_except": {"properties": {d: _NULL}} for d in ("services", "regions", "operators")
        },
    }
    scope = {
        "description": "a scope: one box, or the union of several",
        "oneOf": [
            {"$ref": "#/$defs/box"},
            {
                "type": "object",
                "properties": {"boxes": {"type": "array", "items": {"$ref": "#/$defs/box"}}},
                "required": ["boxes"],
                "additionalProperties": False,
            },
        ],
    }
    clock = {
        "type": "string",
        "pattern": r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,6})?)?$",
    }
    window = {
        "type": "object",
        "description": "a daily window in local wall-clock time, [start, end)",
        "properties": {
            "start": clock,
            "end": clock,
            "days": _or_null(
                {
                    "type": "array",
                    "items": {"type": "string", "pattern": f"^{_DATE}$"},
                    "minItems": 1,
                    "uniqueItems": True,
                }
            ),
        },
        "required": ["start", "end"],
        "additionalProperties": False,
    }
    header = {
        "type": "object",
        "properties": {
            "format": {"const": "regtimeline"},
            "schema": {"type": "integer", "minimum": 1, "maximum": SCHEMA_VERSION},
            "dispute": {"$ref": "#/$defs/dispute"},
        },
        "required": ["format", "schema", "dispute"],
        "additionalProperties": False,
    }
    seal = {
        "type": "object",
        "description": (
            "the line that closes each part of a file (schema 5 on): how many entry lines "
            "the part has, its place among the file's parts, and the SHA-256 (hex) of the "
            "exact bytes of its header line and of every line after it up to this one"
        ),
        "properties": {
            "seal": {
                "type": "object",
                "properties": {
                    "entries": {"type": "integer", "minimum": 0},
                    "part": {"type": "integer", "minimum": 1},
                    "parts": {"type": "integer", "minimum": 1},
                    "sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
                },
                "required": ["entries", "part", "parts", "sha256"],
                "additionalProperties": False,
            }
        },
        "required": ["seal"],
        "additionalProperties": False,
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"https://regtimeline.invalid/schema/{SCHEMA_VERSION}",
        "title": f"regtimeline JSON Lines, schema {SCHEMA_VERSION}",
        "description": (
            "One line of a regtimeline file: a part's first line is its header, its last its "
            "seal, every other line an event tagged by its `type`."
        ),
        "oneOf": [{"$ref": "#/$defs/header"}, {"$ref": "#/$defs/line"}, {"$ref": "#/$defs/seal"}],
        "$defs": {
            "header": header,
            "seal": seal,
            "dispute": _object(Dispute),
            "scope": scope,
            "box": box,
            "window": window,
            "line": line,
            "fact": {"oneOf": [{"$ref": f"#/$defs/{kind}"} for kind in events]},
            "recorded_at": _or_null(
                {"type": "string", "pattern": f"^{_INSTANT}$", "description": "recorded time"}
            ),
            **events,
            **corrections,
        },
    }


def _pattern_of(schema: dict[str, Any]) -> str | None:
    if "pattern" in schema:
        return str(schema["pattern"])
    for option in schema.get("anyOf", ()):
        if "pattern" in option:
            return str(option["pattern"])
    return None


@functools.cache
def field_patterns() -> dict[str, dict[str, re.Pattern[str]]]:
    """Per event kind, the pattern of each string field that has one (from `json_schema`).

    The loader holds lines that no seal vouches for to these, so that it accepts exactly
    what the schema accepts: ``"20210310"``, ``"2021-W10-3"``, a space for ``T``, seven
    fractional digits, digits of other scripts, underscores in numbers are all refused.
    """
    defs = json_schema()["$defs"]
    kinds = [*(c.kind for c in EVENT_TYPES), *(c.kind for c in CORRECTION_TYPES)]
    table: dict[str, dict[str, re.Pattern[str]]] = {}
    for kind in kinds:
        fields = {}
        for name, schema in defs[kind]["properties"].items():
            pattern = _pattern_of(schema)
            if pattern is not None:
                fields[name] = re.compile(pattern, re.ASCII)
        table[kind] = fields
    return table


def check_patterns(data: dict[str, Any]) -> str | None:
    """The first field of an event's JSON object whose string the schema's pattern refuses.

    Returns a message naming it, or None when every patterned field matches (an unknown
    kind, a missing field or a value that is not a string is left to the decoder).

    Examples:
        >>> check_patterns({"type": "statement", "at": "2021-03-10"}) is None
        True
        >>> check_patterns({"type": "statement", "at": "20210310"})
        "'20210310' is not written as the format writes it @ $.at"
    """
    fields = field_patterns().get(str(data.get("type")))
    if not fields:
        return None
    for name, pattern in fields.items():
        value = data.get(name)
        if isinstance(value, str) and not pattern.search(value):
            return f"{value!r:.60} is not written as the format writes it @ $.{name}"
    replacement = data.get("replacement")
    if isinstance(replacement, dict):
        found = check_patterns(replacement)
        if found is not None:
            return found.replace("@ $.", "@ $.replacement.", 1)
    return None
