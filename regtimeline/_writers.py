"""Generated writers: an event as its JSON-ready dict, a few times faster than cattrs' path.

Saving a file, appending to a store and the events table encode every event. cattrs'
generated function dispatches each value's hook and then the tagged union adds the
``type``; a writer, generated here from each class's attrs fields (the counterpart of
`_readers`), writes each field by its converter inline (keys in the fields' order, then ``type``, as
cattrs' path has them). An exact
instant held in UTC (what the event constructors make) is written from the event's key.

A class with a field whose converter has no entry below gets no writer and `encode` takes
cattrs' path. ``tests/test_serialization.py`` holds every writer equal to cattrs' path on
random events of every kind.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any, Final

import attrs
import pendulum

from . import _fields as f
from ._events import Event, _optional_scope, _replacement, _scope, _stores, _window

__all__ = ["Writer", "key_text", "make_writer"]

#: A writer: the event's JSON-ready dict, ``type`` included.
Writer = Callable[[Event], dict[str, Any]]

_EPOCH_ORDINAL: Final = datetime.date(1970, 1, 1).toordinal()
_DAYS: dict[int, str] = {}  # the text of the days seen (events cluster in time)
_MAX_DAYS: Final = 4096
_HOURS_MINUTES: Final = tuple(f"T{h:02}:{m:02}:" for h in range(24) for m in range(60))
_SECONDS: Final = tuple(f"{s:02}+00:00" for s in range(60))


def key_text(key: int) -> str:
    """The ISO 8601 text of the UTC instant `key`, as ``datetime.isoformat`` writes it.

    A third of the time ``isoformat`` takes (the day's text is kept, the time of day is
    put together from tables).

    Examples:
        >>> key_text(1_000_000), key_text(-1)
        ('1970-01-01T00:00:01+00:00', '1969-12-31T23:59:59.999999+00:00')
    """
    days, us = divmod(key, 86_400_000_000)
    day = _DAYS.get(days)
    if day is None:
        day = datetime.date.fromordinal(_EPOCH_ORDINAL + days).isoformat()
        if len(_DAYS) < _MAX_DAYS:
            _DAYS[days] = day
    seconds, us = divmod(us, 1_000_000)
    minutes, seconds = divmod(seconds, 60)
    if us:
        return f"{day}{_HOURS_MINUTES[minutes]}{seconds:02}.{us:06}+00:00"
    return day + _HOURS_MINUTES[minutes] + _SECONDS[seconds]


_SAME: Final = "{v}"
#: Per converter: the expression that writes the field's value `{v}` (``x``: a local).
_WRITES: Final[dict[Any, str]] = {
    f.text: _SAME,
    f.optional_text: _SAME,
    f.event_id: _SAME,
    f.reference: _SAME,
    f.optional_reference: _SAME,
    f.count: _SAME,
    f.optional_span: _SAME,
    f.currency: _SAME,
    f.amount: "str({v})",
    f.categories: "sorted({v})",
    f.moment: "moment_text({v})",
    f.optional_moment: "None if (x := {v}) is None else moment_text(x)",
    f.optional_exact_moment: "None if (x := {v}) is None else moment_text(x)",
    f.consequence: "None if (x := {v}) is None else x.value",
    _scope: "scope_json({v})",
    _optional_scope: "None if (x := {v}) is None else scope_json(x)",
    _window: "None if (x := {v}) is None else window_json(x)",
    _stores: "None if (x := {v}) is None else sorted(x)",
    _replacement: "encode({v})",
}

#: An event's time: from its key when it is an instant in UTC (its key is then set).
_AT: Final = (
    "key_text(k) if (k := e._key) is not None and e.at.tzinfo is UTC else moment_text(e.at)"
)


def make_writer(cls: type[Event], namespace: dict[str, Any]) -> Writer | None:
    """The writer for `cls`, or None when one of its fields has no expression here.

    `namespace` gives the functions the expressions call: ``moment_text``, ``scope_json``,
    ``window_json`` and ``encode``.

    Examples:
        >>> from regtimeline import BlockLifted
        >>> from regtimeline.serialization import _WRITE_NAMESPACE
        >>> write = make_writer(BlockLifted, _WRITE_NAMESPACE)
        >>> write(BlockLifted(at="2022-03-06", id="u"))["at"]
        '2022-03-06'
    """
    fields = [a for a in attrs.fields(cls) if a.init]
    if any(a.converter not in _WRITES for a in fields):
        return None
    items = {a.alias: _WRITES[a.converter].format(v=f"e.{a.name}") for a in fields}
    items["at"] = _AT
    items["type"] = repr(cls.kind)
    body = ", ".join(f"{name!r}: {value}" for name, value in items.items())
    code = f"def write(e):\n    return {{{body}}}\n"
    scope: dict[str, Any] = {**namespace, "key_text": key_text, "UTC": pendulum.UTC}
    exec(compile(code, f"<regtimeline writer {cls.kind}>", "exec"), scope)  # noqa: S102
    writer: Writer = scope["write"]
    return writer
