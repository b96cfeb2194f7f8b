"""The JSON form of events and disputes: lossless, versioned, refused with a path when bad.

Built with cattrs (one converter, a ``type`` tag per event kind) and orjson. Times are ISO
8601 text (a bare date stays a date; an instant carries its offset), amounts are decimal
strings, sets are sorted lists, durations are ISO 8601 text. The format has a ``schema``
version; data written by an older version is upcast on read, one version at a time.

Examples:
    >>> from regtimeline import Statement
    >>> data = encode(Statement(at="2021-04-01", id="s", by="Twitter", text="Talks"))
    >>> data["type"], data["at"]
    ('statement', '2021-04-01')
    >>> decode(data) == Statement(at="2021-04-01", id="s", by="Twitter", text="Talks")
    True
"""

from __future__ import annotations

import datetime as _dt
import decimal
import re
import typing
from collections.abc import Callable, Mapping
from typing import Any, Final, TypeVar, Union

import cattrs
import orjson
import pendulum
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn, override
from cattrs.preconf.orjson import make_converter
from cattrs.strategies import configure_tagged_union

from ._dispute import Dispute
from ._enums import Consequence
from ._events import CORRECTION_TYPES, EVENT_TYPES, Event, EventCorrected
from ._imprecise import Imprecise
from ._readers import make_reader
from ._scope import Box, Scope
from ._time import Moment
from ._window import Window, clock_text
from ._writers import make_writer
from .errors import RegTimelineError, SchemaError, shown

__all__ = [
    "SCHEMA_VERSION",
    "UPCASTERS",
    "decode",
    "decode_dispute",
    "dumps",
    "encode",
    "encode_dispute",
    "loads",
    "upcast",
]

#: The version of the JSON form written by this release.
SCHEMA_VERSION: Final = 5

T = TypeVar("T")

#: ``UPCASTERS[v]`` turns an event's JSON object of schema ``v`` into one of ``v + 1``.
UPCASTERS: Final[dict[int, Callable[[dict[str, Any]], dict[str, Any]]]] = {}


def _upcaster(version: int) -> Callable[[Callable[[dict[str, Any]], dict[str, Any]]], Any]:
    def register(fn: Callable[[dict[str, Any]], dict[str, Any]]) -> Any:
        UPCASTERS[version] = fn
        return fn

    return register


@_upcaster(1)
def _sla_in_hours(data: dict[str, Any]) -> dict[str, Any]:
    """Schema 1 -> 2: a takedown's ``deadline_hours`` became ``sla``.

    Schema 1 gave a number of hours; schema 2 an ISO 8601 duration, so that an SLA can be any
    duration ("PT30M", "P2D").
    """
    if data.get("type") != "takedown_requested" or "deadline_hours" not in data:
        return data
    out = dict(data)
    hours = out.pop("deadline_hours")
    if hours is not None and (isinstance(hours, bool) or not isinstance(hours, int)):
        msg = f"deadline_hours must be a whole number of hours, got {hours!r}"
        raise SchemaError(msg)
    out["sla"] = None if hours is None else f"PT{hours}H"
    return out


@_upcaster(2)
def _recorded_time(data: dict[str, Any]) -> dict[str, Any]:
    """Schema 2 -> 3: lines may carry ``recorded_at``, and corrections exist.

    Nothing to convert: a schema-2 event has no recorded time (it counts as known from the
    start) and no correction.
    """
    return data


_SCOPED: Final = frozenset({"throttle_imposed", "throttle_lifted", "block_imposed"})


@_upcaster(3)
def _scope_v2(data: dict[str, Any]) -> dict[str, Any]:
    """Schema 3 -> 4: scopes gain `regions` and `operators` (null: all of them).

    Everything else that schema 4 adds (windows, `by`, partial block lifts, delistings) is
    new and optional: a schema-3 event means the same in schema 4.
    """
    kind = data.get("type")
    if kind == "event_corrected" and isinstance(data.get("replacement"), dict):
        return {**data, "replacement": _scope_v2(data["replacement"])}
    scope = data.get("scope")
    if kind not in _SCOPED or not isinstance(scope, dict):
        return data
    return {**data, "scope": {"regions": None, "operators": None, **scope}}


@_upcaster(4)
def _sealed(data: dict[str, Any]) -> dict[str, Any]:
    """Schema 4 -> 5: each part of a file ends with a seal line; events are unchanged.

    A schema-4 file has no seal and is read as before (it cannot say whether it was cut).
    """
    return data


def upcast(data: dict[str, Any], version: int) -> dict[str, Any]:
    """Bring an event's JSON object from schema `version` to `SCHEMA_VERSION`.

    Raises:
        SchemaError: the version is unknown (newer than this release, or not a version).

    Examples:
        >>> upcast({"type": "takedown_requested", "deadline_hours": 24}, 1)["sla"]
        'PT24H'
    """
    if isinstance(version, bool) or not isinstance(version, int) or not version >= 1:
        msg = f"schema {shown(version)} is not a schema version"
        raise SchemaError(msg)
    if version > SCHEMA_VERSION:
        msg = (
            f"schema {version} is newer than this regtimeline reads ({SCHEMA_VERSION}): "
            "upgrade regtimeline"
        )
        raise SchemaError(msg)
    for v in range(version, SCHEMA_VERSION):
        data = UPCASTERS[v](data)
    return data


# --- the converter ---------------------------------------------------------------------------


def _strict(kind: type[T], name: str) -> Callable[[Any, type], T]:
    def structure(value: Any, _: type) -> T:
        if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
            msg = f"expected {name}, got {type(value).__name__} {shown(value, 60)}"
            raise SchemaError(msg)
        return value

    return structure


# The hooks below only check the JSON type; each class's own converters then read the value
# once (parsing a time twice would cost as much as everything else in decoding).


def _moment(value: Any, _: type) -> Any:
    if not isinstance(value, str):
        msg = f"expected an ISO 8601 date or date-time string, got {shown(value, 60)}"
        raise SchemaError(msg)
    return value


def _names(value: Any, _: type) -> Any:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        msg = f"expected a list of strings, got {shown(value, 60)}"
        raise SchemaError(msg)
    return value


def _amount(value: Any, _: type) -> Any:
    if not isinstance(value, str):
        msg = f"expected a decimal amount as a string such as '8900000.00', got {shown(value, 60)}"
        raise SchemaError(msg)
    return value


_BOX_KEYS: Final = frozenset(
    {
        "networks",
        "services",
        "regions",
        "operators",
        "services_except",
        "regions_except",
        "operators_except",
    }
)


def _box_json(box: Box) -> dict[str, Any]:
    out: dict[str, Any] = {"networks": sorted(box.networks)}
    for name in ("services", "regions", "operators"):
        value = getattr(box, name)
        out[name] = None if value is None else sorted(value)
        left_out = getattr(box, f"{name}_except")
        if left_out:
            out[f"{name}_except"] = sorted(left_out)
    return out


def _scope_json(scope: Scope) -> dict[str, Any]:
    """One box as its fields; a union of several as ``{"boxes": [...]}``."""
    boxes = scope.boxes
    if len(boxes) == 1:
        return _box_json(boxes[0])
    return {"boxes": [_box_json(b) for b in boxes]}


def _list_of_names(value: Any, where: str) -> frozenset[str] | None:
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        msg = f"{where}: expected a list of strings or null, got {shown(value, 60)}"
        raise SchemaError(msg)
    return frozenset(value)


def _box_of(value: Any, where: str) -> Box:
    if not isinstance(value, dict):
        msg = f"{where}: a scope box is an object, got {shown(value, 60)}"
        raise SchemaError(msg)
    unknown = set(value) - _BOX_KEYS
    if unknown:
        msg = f"{where}: unknown field(s) {sorted(unknown)}"
        raise SchemaError(msg)
    networks = _list_of_names(value.get("networks", ["fixed", "mobile"]), f"{where}.networks")
    fields: dict[str, Any] = {"networks": networks}
    for name in ("services", "regions", "operators"):
        fields[name] = _list_of_names(value.get(name), f"{where}.{name}")
        fields[f"{name}_except"] = (
            _list_of_names(value.get(f"{name}_except"), f"{where}.{name}_except") or frozenset()
        )
    return Box(**fields)


def _scope_of(value: Any, _: type) -> Scope:
    if isinstance(value, dict) and "boxes" in value:
        if set(value) != {"boxes"} or not isinstance(value["boxes"], list):
            msg = f"a scope of several boxes is {{'boxes': [...]}} alone, got {shown(value, 80)}"
            raise SchemaError(msg)
        boxes = [_box_of(b, f"boxes[{i}]") for i, b in enumerate(value["boxes"])]
    else:
        boxes = [_box_of(value, "scope")]
    try:
        return Scope.from_boxes(boxes)
    except RegTimelineError as exc:
        raise SchemaError(str(exc)) from None


def _window_json(window: Window) -> dict[str, Any]:
    return {
        "start": clock_text(window.start),
        "end": clock_text(window.end),
        "days": None if window.days is None else sorted(d.isoformat() for d in window.days),
    }


def _window_of(value: Any, _: type) -> Window:
    if not isinstance(value, dict) or not {"start", "end"} <= set(value) <= {
        "start",
        "end",
        "days",
    }:
        form = "{'start': 'HH:MM', 'end': 'HH:MM', 'days': [...] or null}"
        msg = f"a window is {form}, got {shown(value, 80)}"
        raise SchemaError(msg)
    days = value.get("days")
    if days is not None and (
        not isinstance(days, list) or not all(isinstance(d, str) for d in days)
    ):
        msg = f"window days: expected a list of ISO dates or null, got {shown(days, 60)}"
        raise SchemaError(msg)
    if not isinstance(value["start"], str) or not isinstance(value["end"], str):
        msg = f"window start and end are times of day as text ('06:00'), got {shown(value, 60)}"
        raise SchemaError(msg)
    try:
        return Window(start=value["start"], end=value["end"], days=days)
    except RegTimelineError as exc:
        raise SchemaError(str(exc)) from None


def _instant_text(value: pendulum.DateTime) -> str:
    if value.tzinfo is pendulum.UTC:  # what events hold: skip pendulum's utcoffset (Python)
        plain = _dt.datetime(
            value.year,
            value.month,
            value.day,
            value.hour,
            value.minute,
            value.second,
            value.microsecond,
            _dt.UTC,
        )
        return plain.isoformat()
    return value.isoformat()


def _moment_text(value: Moment) -> str:
    """A moment's text, dispatched on its exact class (cattrs' union dispatch costs more)."""
    kind = type(value)
    if kind is pendulum.DateTime:
        return _instant_text(value)  # type: ignore[arg-type]
    if kind is pendulum.Date:
        return value.isoformat()
    if kind is Imprecise:
        return value.text  # type: ignore[union-attr]
    text: str = _CONVERTER.unstructure(value, type(value))  # a subclass: its own hook
    return text


def _optional_moment_text(value: Moment | None) -> str | None:
    return None if value is None else _moment_text(value)


def _same(value: str | None) -> str | None:
    return value


def _kind_of(cls: type) -> str:
    kind: str = getattr(cls, "kind")  # noqa: B009 - the event classes' ClassVar
    return kind


#: Facts and corrections: every kind the format knows.
ALL_EVENT_TYPES: Final = (*EVENT_TYPES, *CORRECTION_TYPES)
_UNION: Final[Any] = Union[ALL_EVENT_TYPES]  # noqa: UP007


def _make() -> cattrs.Converter:
    conv = make_converter(forbid_extra_keys=True, prefer_attrib_converters=False)
    conv.register_structure_hook(str, _strict(str, "a string"))
    conv.register_structure_hook(int, _strict(int, "a whole number"))
    conv.register_structure_hook(Union[pendulum.Date, pendulum.DateTime, Imprecise], _moment)  # noqa: UP007
    conv.register_structure_hook_func(lambda t: t == frozenset[str], _names)
    conv.register_structure_hook(decimal.Decimal, _amount)
    conv.register_unstructure_hook(decimal.Decimal, str)
    conv.register_unstructure_hook(pendulum.DateTime, _instant_text)
    conv.register_unstructure_hook(pendulum.Date, lambda d: d.isoformat())
    conv.register_unstructure_hook(Imprecise, lambda m: m.text)
    # the fields every event has, without cattrs' union and optional dispatch per value
    conv.register_unstructure_hook_func(lambda t: t == Moment, _moment_text)
    conv.register_unstructure_hook_func(lambda t: t == Moment | None, _optional_moment_text)
    conv.register_unstructure_hook_func(lambda t: t == str | None, _same)
    conv.register_unstructure_hook_func(lambda t: t == frozenset[str], sorted)
    conv.register_unstructure_hook(Consequence, lambda c: c.value)
    conv.register_unstructure_hook(Scope, _scope_json)
    conv.register_structure_hook(Scope, _scope_of)
    conv.register_unstructure_hook(Window, _window_json)
    conv.register_structure_hook(Window, _window_of)
    for cls in (*ALL_EVENT_TYPES, Dispute):
        typing.get_type_hints(cls)  # resolve the string annotations once, early
    union = _UNION
    # a correction holds a whole event, tagged like any other
    conv.register_unstructure_hook(
        EventCorrected,
        make_dict_unstructure_fn(
            EventCorrected,
            conv,
            replacement=override(unstruct_hook=lambda e: encode(e)),  # noqa: PLW0108
        ),
    )
    conv.register_structure_hook(
        EventCorrected,
        make_dict_structure_fn(
            EventCorrected,
            conv,
            _cattrs_forbid_extra_keys=True,
            replacement=override(struct_hook=lambda value, _: decode(value)),
        ),
    )
    configure_tagged_union(union, conv, tag_generator=_kind_of, tag_name="type")
    return conv


_CONVERTER: Final = _make()
_KINDS: Final = frozenset(cls.kind for cls in ALL_EVENT_TYPES)
#: Each kind's structuring function, generated by cattrs (the tag is removed before it runs).
_STRUCTURE: Final = {cls.kind: (cls, _CONVERTER.get_structure_hook(cls)) for cls in ALL_EVENT_TYPES}
#: Each kind's unstructuring function (the tagged union's, without its dispatch).
_UNSTRUCTURE: Final = {cls: _CONVERTER.get_unstructure_hook(cls) for cls in ALL_EVENT_TYPES}


#: Each kind's generated reader for plainly well-formed data (see `_readers`).
_READERS: Final = {
    cls.kind: reader for cls in ALL_EVENT_TYPES if (reader := make_reader(cls)) is not None
}


def _format_error(exc: BaseException, type_: type | None) -> str:
    if isinstance(exc, RegTimelineError):
        return str(exc)
    if isinstance(exc, KeyError):
        return f"required field {exc.args[0]!r} is missing"
    if isinstance(exc, cattrs.ForbiddenExtraKeysError):
        return f"unknown field(s) {sorted(exc.extra_fields)}"
    name = getattr(type_, "__name__", str(type_))
    return f"invalid value for {name}: {exc}"


_FIELD_IN_MESSAGE: Final = re.compile(r"^\w+\.(\w+): (.*) @ (\$[\w.\[\]]*)$", re.DOTALL)


def _schema_error(exc: BaseException, what: str) -> SchemaError:
    if isinstance(exc, cattrs.ForbiddenExtraKeysError):
        return SchemaError(f"{what}: unknown field(s) {sorted(exc.extra_fields)} @ $")
    if isinstance(exc, (cattrs.ClassValidationError, cattrs.IterableValidationError)):
        problems = cattrs.transform_error(exc, format_exception=_format_error)
        # a class's own converter names its field ("Statement.at: ..."): make that the path
        problems = [_FIELD_IN_MESSAGE.sub(r"\2 @ \3.\1", p) for p in problems]
        return SchemaError(f"{what}: " + "; ".join(problems))
    return SchemaError(f"{what}: {_format_error(exc, None)}")


def encode(event: Event) -> dict[str, Any]:
    """An event as a JSON-ready dict with its ``type`` tag.

    Examples:
        >>> from regtimeline import FineImposed
        >>> encode(FineImposed(at="2021-04-02", id="f", amount="8900000", currency="RUB",
        ...                    by="court"))["amount"]
        '8900000'
    """
    write = _WRITERS.get(type(event))
    if write is not None:
        return write(event)
    unstructure = _UNSTRUCTURE.get(type(event))
    if unstructure is None:  # not an event, or a subclass of one: cattrs' tagged union
        if not isinstance(event, Event) or type(event) is Event:
            msg = f"encode takes an event, got {event!r:.60}"
            raise SchemaError(msg)
        union: dict[str, Any] = _CONVERTER.unstructure(event, _UNION)
        return union
    data: dict[str, Any] = unstructure(event)
    data["type"] = event.kind  # the tag, as cattrs' tagged union adds it
    return data


#: What the writers' expressions call (see `_writers`).
_WRITE_NAMESPACE: Final = {
    "moment_text": _moment_text,
    "scope_json": _scope_json,
    "window_json": _window_json,
    "encode": encode,
}
#: Each kind's generated writer (a kind without one takes cattrs' path).
_WRITERS: Final = {
    cls: writer
    for cls in ALL_EVENT_TYPES
    if (writer := make_writer(cls, _WRITE_NAMESPACE)) is not None
}


def decode(data: object) -> Event:
    """An event from its JSON-ready dict (schema `SCHEMA_VERSION`).

    Raises:
        SchemaError: not an object, an unknown ``type``, missing or unknown fields, or
            values of the wrong type or form; the message gives the field's path.

    Examples:
        >>> decode({"type": "block_lifted", "at": "2022-03-06", "id": "u"}).kind
        'block_lifted'
    """
    if type(data) is dict:
        try:
            read = _READERS[data["type"]](data)
        except Exception:  # noqa: BLE001 - not plainly well formed: cattrs' path decides
            read = None
        if read is not None:
            return read
    return _structured(data)


def _structured(data: object) -> Event:
    """`decode` by cattrs' path: every form it accepts, and the error with its path."""
    if not isinstance(data, Mapping):
        msg = f"an event must be a JSON object, got {type(data).__name__}"
        raise SchemaError(msg)
    fields = dict(data)
    kind = fields.pop("type", None)
    if kind not in _KINDS:
        msg = f"unknown event type {kind!r} @ $.type (known: {', '.join(sorted(_KINDS))})"
        raise SchemaError(msg)
    cls, structure = _STRUCTURE[kind]
    try:
        event: Event = structure(fields, cls)
    except (SchemaError, RegTimelineError) as exc:
        raise SchemaError(f"{kind}: {exc}") from None
    except Exception as exc:  # noqa: BLE001 - cattrs reports through several exception types
        raise _schema_error(exc, str(kind)) from None
    return event


def encode_dispute(dispute: Dispute) -> dict[str, Any]:
    """A dispute as a JSON-ready dict.

    Examples:
        >>> from regtimeline.examples import TWITTER_RUSSIA
        >>> encode_dispute(TWITTER_RUSSIA)["timezone"]
        'Europe/Moscow'
    """
    data: dict[str, Any] = _CONVERTER.unstructure(dispute)
    return data


def decode_dispute(data: object) -> Dispute:
    """A dispute from its JSON-ready dict.

    Raises:
        SchemaError: as for `decode`.
    """
    if not isinstance(data, Mapping):
        msg = f"a dispute must be a JSON object, got {type(data).__name__}"
        raise SchemaError(msg)
    try:
        return _CONVERTER.structure(data, Dispute)
    except Exception as exc:  # noqa: BLE001
        raise _schema_error(exc, "dispute") from None


def dumps(event: Event) -> bytes:
    """An event as one line of compact JSON (keys sorted, so files diff well).

    Examples:
        >>> from regtimeline import BlockLifted
        >>> dumps(BlockLifted(at="2022-03-06", id="u"))[:50]
        b'{"at":"2022-03-06","block":null,"by":null,"id":"u"'
    """
    return orjson.dumps(encode(event), option=orjson.OPT_SORT_KEYS)


def loads(text: bytes | str, *, schema: int = SCHEMA_VERSION) -> Event:
    """An event from one line of JSON written with `schema` (upcast if older).

    Raises:
        SchemaError: malformed JSON, or as for `decode`.
    """
    try:
        data = orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        msg = f"not valid JSON: {exc}"
        raise SchemaError(msg) from None
    if not isinstance(data, dict):
        msg = f"an event must be a JSON object, got {type(data).__name__}"
        raise SchemaError(msg)
    return decode(upcast(data, schema) if schema != SCHEMA_VERSION else data)
