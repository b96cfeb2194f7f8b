"""The errors regtimeline raises: every refusal is a `RegTimelineError`.

Each message names what was refused (the event's kind, id and time where there is one), the
state it met and why, so that a person can act on it without reading a traceback.
"""

from __future__ import annotations

import reprlib

__all__ = [
    "ConcurrencyError",
    "DuplicateEvent",
    "InvalidTransition",
    "InvalidValue",
    "MissingExtra",
    "RegTimelineError",
    "SchemaError",
    "StoreError",
    "TimeError",
    "UnknownReference",
]


class RegTimelineError(Exception):
    """Base class of every error regtimeline raises on purpose.

    Attributes:
        event: the event that was refused, when there is one (else None).

    Examples:
        >>> issubclass(InvalidTransition, RegTimelineError)
        True
    """

    event: object | None = None


class InvalidTransition(RegTimelineError):
    """An event is not allowed in the state the dispute is in at its time.

    Example: lifting a block while the platform is not blocked.
    """


class UnknownReference(RegTimelineError):
    """An event names a deadline, throttle or request that no earlier event created."""


class DuplicateEvent(RegTimelineError):
    """An event id is used twice in one timeline."""


class TimeError(RegTimelineError, ValueError):
    """A time value cannot be read without guessing: naive, malformed or in an unknown zone."""


class InvalidValue(RegTimelineError, ValueError):
    """A value is malformed in itself: an event, a `Scope`, a `Dispute`.

    Raised when the value is built, before any timeline sees it: a negative count, a currency
    that is not three letters, both `due` and `by` on one extension, a jurisdiction that is
    not two letters.
    """


class SchemaError(RegTimelineError, ValueError):
    """Stored or serialized data does not match the expected format."""


class ConcurrencyError(RegTimelineError):
    """A store refused an append because another writer appended first."""


class StoreError(RegTimelineError):
    """A store cannot do what was asked: unreachable, or open for reading only.

    The message names the store and says why.
    """


class MissingExtra(RegTimelineError, ImportError):
    """A feature needs an optional extra that is not installed (the message says which)."""


_SHOWN = reprlib.Repr()
_SHOWN.maxlevel = 3  # a value read from a file can nest a thousand deep: never recurse on it
_SHOWN.maxstring = _SHOWN.maxother = 60


def shown(value: object, width: int = 60) -> str:
    """A value's repr for a message: short, and safe for any nesting.

    Examples:
        >>> shown([[[[[1]]]]])
        '[[[[...]]]]'
    """
    text = _SHOWN.repr(value)
    return text if len(text) <= width else text[: width - 3] + "..."
