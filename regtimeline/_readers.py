"""Generated readers for the JSON form's common case, a few times faster than cattrs' path.

Loading a file or a store decodes every event, so decoding is most of what loading costs.
cattrs' path checks each value's JSON type, then the class's constructor converts it again
and names the field it refuses; that generality costs several microseconds an event. A
reader, generated here from each class's attrs fields, does the same checks inline (calling
the same converters where they are not plain type checks) and sets the fields of a new
instance directly.

A reader accepts only data that is plainly well formed. Anything else (a missing id, a
nested correction, a scope other than everything, a value of an unusual type, any refusal)
makes it return None or raise, and `decode` takes cattrs' path, which gives the event or the
error with its field path. So the reader need only be right when it returns an event;
``tests/test_readers.py`` checks with Hypothesis that it then returns what cattrs'
path returns.
"""

from __future__ import annotations

import datetime
import operator
from collections.abc import Callable, Mapping
from typing import Any, Final

import attrs
import pendulum

from . import _fields as f
from ._enums import Consequence
from ._events import Event, _optional_scope, _scope, _stores, _window
from ._imprecise import Imprecise
from ._scope import EVERYTHING
from ._time import EPOCH, ONE_US, moment_and_key, to_span

__all__ = ["Reader", "make_reader"]

#: A reader: the event, or None (or any exception) when cattrs' path must decide.
Reader = Callable[[Mapping[str, Any]], Event | None]

#: How EVERYTHING is written (``encode`` writes every field, defaults included).
_EVERYTHING_JSON: Final = {
    "networks": sorted(EVERYTHING.networks),
    "operators": None,
    "regions": None,
    "services": None,
}
_CONSEQUENCES: Final = {c.value: c for c in Consequence}
_SPANS: dict[str, str] = {}  # canonical forms of the durations seen ("PT24H" repeats)
_MAX_SPANS: Final = 1024


def _span(value: str) -> str:
    span = _SPANS.get(value)
    if span is None:
        span = to_span(value)
        if len(_SPANS) < _MAX_SPANS:
            _SPANS[value] = span
    return span


_TEXT: Final = "type(v) is str and len(v) <= max_text and (v.isascii() or valid_text(v))"
_REFERENCE: Final = (
    "type(v) is str and len(v) <= max_id and v.strip() != '' and (v.isascii() or valid_text(v))"
)
_ID: Final = "type(v) is str and len(v) <= max_id and (v.isascii() or valid_text(v))"
_NFC: Final = "\nif not v.isascii(): v = nfc(v)"

#: Per converter: the statements that check `v` and leave the field's value in `v`. A
#: failed check returns None; a converter called here raises, which also means "not here".
_READS: Final[dict[Any, str]] = {
    f.text: f"if not ({_TEXT}): return None",
    f.optional_text: f"if v is not None and not ({_TEXT}): return None",
    f.event_id: f"if not ({_ID}): return None{_NFC}",  # (an id: read as a reference, below)
    f.reference: f"if not ({_REFERENCE}): return None{_NFC}",
    f.optional_reference: f"if v is not None:\n    if not ({_REFERENCE}): return None"
    "\n    if not v.isascii(): v = nfc(v)",
    f.count: "if type(v) is not int or not 0 <= v <= max_count: return None",
    # moment_and_key inline for what encode writes (UTC; in range by construction)
    f.moment: "if type(v) is not str: return None\n"
    "p = fromisoformat(v) if len(v) > 10 else None\n"
    "if p is not None and p.tzinfo is utc:\n"
    "    k = (p - epoch) // one_us\n"
    "    v = DateTime(p.__reduce__()[1][0], UTC)\n"
    "else: v, k = moment_and_key(v)",
    f.optional_moment: "if v is not None:\n    if type(v) is not str: return None\n"
    "    v = moment_and_key(v)[0]",
    f.optional_exact_moment: "if v is not None:\n    if type(v) is not str: return None\n"
    "    v = moment_and_key(v)[0]\n    if type(v) is Imprecise: return None",
    f.optional_span: "if v is not None:\n    if type(v) is not str: return None\n    v = span(v)",
    f.consequence: "if v is not None: v = consequences[v]",
    f.categories: "if type(v) is not list: return None\n"
    "if v:\n    if not all(type(x) is str for x in v): return None\n    v = categories(v)\n"
    "else: v = no_names",
    f.amount: "if type(v) is not str: return None\nv = amount(v)",
    f.currency: "if type(v) is not str: return None\nv = currency(v)",
    _scope: "if v != everything_json: return None\nv = everything",
    _optional_scope: "if v is not None:\n    if v != everything_json: return None\n"
    "    v = everything",
    # a window: cattrs' path (rare)
    _window: "if v is not None: return None",
    _stores: "if v is not None:\n    if type(v) is not list or not all(type(x) is str for x in v):"
    " return None\n    v = stores(v)",
}

#: The reads above that take None (for an optional field, its default).
_TAKES_NONE: Final = frozenset(
    {
        f.optional_text,
        f.optional_reference,
        f.optional_moment,
        f.optional_exact_moment,
        f.optional_span,
        f.consequence,
    }
    | {_optional_scope, _window, _stores}
)

_NAMESPACE: Final = {
    "valid_text": f.is_unicode,
    "moment_and_key": moment_and_key,
    "Imprecise": Imprecise,
    "fromisoformat": datetime.datetime.fromisoformat,
    "utc": datetime.UTC,
    "epoch": EPOCH,
    "one_us": ONE_US,
    "DateTime": pendulum.DateTime,
    "UTC": pendulum.UTC,
    "span": _span,
    "consequences": _CONSEQUENCES,
    "categories": f.categories,
    "no_names": frozenset(),
    "max_count": f.MAX_COUNT,
    "max_id": f.MAX_ID_CHARS,
    "max_text": f.MAX_TEXT_CHARS,
    "nfc": f.nfc,
    "amount": f.amount,
    "currency": f.currency,
    "everything_json": _EVERYTHING_JSON,
    "everything": EVERYTHING,
    "stores": _stores,
}


def _slot(cls: type, name: str) -> Any:
    """The member descriptor of slot `name` (defined by `cls` or a base class)."""
    return next(c.__dict__[name] for c in cls.__mro__ if name in c.__dict__)


def _indented(code: str) -> str:
    return "".join(f"    {line}\n" for line in code.splitlines())


def make_reader(cls: type[Event]) -> Reader | None:
    """The reader for `cls`, or None when one of its fields has no inline check here.

    Examples:
        >>> from regtimeline import BlockLifted
        >>> make_reader(BlockLifted)({"type": "block_lifted", "at": "2022-03-06", "id": "u"})
        BlockLifted(at=Date(2022, 3, 6), id='u', source=None, note=None, block=None, scope=None,
        by=None)
        >>> make_reader(BlockLifted)({"type": "block_lifted", "at": "2022-03-06"}) is None
        True
    """
    fields = [a for a in attrs.fields(cls) if a.init]
    if any(a.converter not in _READS for a in fields):
        return None
    allowed = frozenset({"type", *(a.alias for a in fields)})
    names = [f"v_{a.name}" for a in fields]
    lines = [
        "def read(d):",
        # what encode writes: every field, so no unknown one iff all are there (one C call)
        f"    if len(d) == {len(allowed)}: _, {', '.join(names)} = get_all(d)",
        "    else:",
        "        if not d.keys() <= allowed: return None",
    ]
    defaults: dict[str, Any] = {}
    checks = ["    o = new(cls)"]
    for a in fields:
        optional = a.default is None and a.converter in _TAKES_NONE
        if a.default is attrs.NOTHING:
            lines.append(f"        v_{a.name} = d[{a.alias!r}]")
        elif optional or a.name == "id":
            lines.append(f"        v_{a.name} = d.get({a.alias!r})")
        else:
            lines.append(f"        v_{a.name} = d.get({a.alias!r}, missing)")
        checks.append(f"    v = v_{a.name}")
        if a.name == "id":  # a missing or blank id: the constructor derives or refuses it
            checks.append(f"    if not ({_REFERENCE}): return None")
            checks.append("    if not v.isascii(): v = nfc(v)")
        elif a.default is attrs.NOTHING or optional:  # (an optional field's read takes None)
            checks.append(_indented(_READS[a.converter]).rstrip("\n"))
        else:
            # a missing field gets its default, converted as attrs converts defaults
            defaults[a.name] = a.converter(a.default)
            checks.append(f"    if v is missing: v = default_{a.name}")
            checks.append("    else:")
            checks.append(_indented(_indented(_READS[a.converter])).rstrip("\n"))
        checks.append(f"    set_{a.name}(o, v)")
        if a.name == "at":
            checks.append("    set__key(o, k)")
    lines += checks
    if cls._check is not Event._check:
        lines.append("    o._check()")
    lines.append("    return o")
    namespace: dict[str, Any] = {
        **_NAMESPACE,
        "allowed": allowed,
        "get_all": operator.itemgetter("type", *(a.alias for a in fields)),
        "new": object.__new__,
        "cls": cls,
        # each slot's own setter: a third cheaper than object.__setattr__ (frozen classes)
        **{f"set_{name}": _slot(cls, name).__set__ for name in [*(a.name for a in fields), "_key"]},
        "missing": attrs.NOTHING,
        **{f"default_{name}": value for name, value in defaults.items()},
    }
    exec(compile("\n".join(lines), f"<regtimeline reader {cls.kind}>", "exec"), namespace)  # noqa: S102
    reader: Reader = namespace["read"]
    return reader
