"""Converters and validators shared by the frozen classes; each names the field it refused."""

from __future__ import annotations

import decimal
import functools
import re
import unicodedata
from collections.abc import Iterable
from datetime import timedelta
from typing import Any, Final, TypeVar

import attrs

from ._enums import Consequence
from ._imprecise import Imprecise
from ._time import Moment, When, to_moment, to_span
from .errors import InvalidValue, RegTimelineError, TimeError

__all__ = [
    "MAX_COUNT",
    "amount",
    "categories",
    "consequence",
    "count",
    "currency",
    "is_unicode",
    "moment",
    "names",
    "optional_exact_moment",
    "optional_moment",
    "optional_reference",
    "optional_span",
    "optional_text",
    "reference",
    "text",
    "with_context",
]

T = TypeVar("T")
#: Bounds of an amount, so that totals, accruals and payments are exact in `EXACT`.
MIN_AMOUNT_EXPONENT: Final = -18
MAX_AMOUNT_EXPONENT: Final = 39
MAX_AMOUNT_DIGITS: Final = 58
#: The context money is added and multiplied in: exact for amounts within the bounds above,
#: times counts up to 2**63 (at most 18 + 40 + 19 digits).
EXACT: Final = decimal.Context(prec=120, traps=[decimal.Inexact, decimal.Overflow])
_CURRENCY: Final = re.compile(r"[A-Z]{3}")


def with_context(cls: type[T]) -> type[T]:
    """Class decorator: an error raised while building `cls` names the class and field.

    Converters stay plain functions (so type checkers read the accepted types from them);
    on a refusal this finds the field whose converter refused and prefixes the message with
    ``Class.field:``.
    """
    init = cls.__init__

    def init_with_context(self: T, *args: Any, **kwargs: Any) -> None:
        try:
            init(self, *args, **kwargs)
        except RegTimelineError as exc:
            text = str(exc)
            if text.startswith(cls.__name__):
                raise
            msg = f"{cls.__name__}{_culprit(cls, kwargs)}: {text}"
            raise type(exc)(msg) from None

    functools.update_wrapper(init_with_context, init)
    setattr(cls, "__init__", init_with_context)  # noqa: B010 - mypy forbids assigning methods
    return cls


def _culprit(cls: type, kwargs: dict[str, Any]) -> str:
    for field in attrs.fields(cls):
        convert = field.converter
        if callable(convert) and field.alias in kwargs:
            try:
                convert(kwargs[field.alias])
            except RegTimelineError:
                return f".{field.name}"
    return ""


def names(value: Iterable[str] | str, what: str = "names") -> frozenset[str]:
    """A frozenset of non-empty strings from any iterable (a lone string names one)."""
    if isinstance(value, str):
        value = (value,)
    try:
        result = frozenset(value)
    except TypeError:
        msg = f"{what} must be an iterable of strings, got {value!r}"
        raise InvalidValue(msg) from None
    bad = sorted(
        repr(n)[:60]
        for n in result
        if not isinstance(n, str) or not n.strip() or not is_unicode(n) or len(n) > MAX_NAME_CHARS
    )
    if bad:
        if any(isinstance(n, str) and len(n) > MAX_NAME_CHARS for n in result):
            msg = f"{what}: a name is at most {MAX_NAME_CHARS:,} characters, got {', '.join(bad)}"
            raise InvalidValue(msg)
        msg = f"{what} must be non-empty strings of valid Unicode, got {', '.join(bad)}"
        raise InvalidValue(msg)
    if all(n.isascii() for n in result):
        return result
    return frozenset(map(nfc, result))


def nfc(value: str) -> str:
    """An id or a name as it is compared: in Unicode normalisation form C.

    "café" typed as one code point (é) or as two (e and a combining accent) is one id.

    Examples:
        >>> nfc("cafe\u0301") == "caf\u00e9"
        True
    """
    if value.isascii():
        return value
    return unicodedata.normalize("NFC", value)


def is_unicode(value: str) -> bool:
    """Whether `value` is valid Unicode: no lone surrogates, which no file or database takes.

    Examples:
        >>> is_unicode("Роскомнадзор"), is_unicode("lone " + chr(0xD800))
        (True, False)
    """
    if value.isascii():
        return True
    try:
        value.encode()
    except UnicodeEncodeError:
        return False
    return True


#: The longest id or name (event, dispute, reference, regulator, platform, scope names):
#: characters. An id is a key, stored in every index; 256 is far more than any id needs.
MAX_ID_CHARS: Final = 256
#: The longest name in a set (a scope's regions, services and operators; stores;
#: categories): characters. Places are often written out in full ("Anantnag city in
#: Anantnag district, ...").
MAX_NAME_CHARS: Final = 1_000
#: The longest text (a note, a source, a statement, a demand): characters.
MAX_TEXT_CHARS: Final = 100_000


def text(value: object, limit: int = MAX_TEXT_CHARS, what: str = "a text") -> str:
    """Converter: valid Unicode (no lone surrogates), at most `limit` characters."""
    if not isinstance(value, str):
        msg = f"expected a string, got {value!r:.80}"
        raise InvalidValue(msg)
    if len(value) > limit:
        msg = f"{what} is at most {limit:,} characters; got {len(value):,} ({value!r:.40}...)"
        raise InvalidValue(msg)
    if not is_unicode(value):
        msg = f"expected valid Unicode text, got a lone surrogate in {value!r:.60}"
        raise InvalidValue(msg)
    return value


def event_id(value: object) -> str:
    """Converter: an event's id as given (empty: derived from its content), in NFC."""
    return nfc(text(value, MAX_ID_CHARS, "an id"))


def reference(value: object) -> str:
    """Converter: a non-empty id of at most `MAX_ID_CHARS` characters, in NFC (`nfc`)."""
    result = text(value, MAX_ID_CHARS, "an id")
    if not result.strip():
        msg = "expected a non-empty id"
        raise InvalidValue(msg)
    return nfc(result)


#: The largest count: the largest whole number that every JSON reader keeps exact (2**53 - 1).
MAX_COUNT: Final = 2**53 - 1


def count(value: Any) -> int:
    """Converter: a whole number, from 0 to `MAX_COUNT`."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_COUNT:
        msg = f"expected a whole number of items, from 0 to 2**53 - 1, got {value!r}"
        raise InvalidValue(msg)
    return value


def amount(value: Any) -> decimal.Decimal:
    """Converter: an exact, finite amount greater than 0."""
    if isinstance(value, bool | float):
        msg = f"give amounts as Decimal, int or str (a float is inexact), got {value!r}"
        raise InvalidValue(msg)
    try:
        result = decimal.Decimal(value)
    except (decimal.InvalidOperation, TypeError, ValueError):
        msg = f"expected a decimal amount, got {value!r}"
        raise InvalidValue(msg) from None
    if not result.is_finite() or result <= 0:
        msg = f"expected a finite amount greater than 0, got {value!r}"
        raise InvalidValue(msg)
    if (
        not MIN_AMOUNT_EXPONENT <= result.adjusted() <= MAX_AMOUNT_EXPONENT
        or len(result.as_tuple().digits) > MAX_AMOUNT_DIGITS
    ):
        msg = (
            f"amounts are from 1e{MIN_AMOUNT_EXPONENT} to below 1e{MAX_AMOUNT_EXPONENT + 1}, "
            f"with at most {MAX_AMOUNT_DIGITS} significant digits (so that every total is "
            f"exact), got {value!r:.80}"
        )
        raise InvalidValue(msg)
    return result


def currency(value: Any) -> str:
    """Converter: an ISO 4217 code, upper case."""
    if not isinstance(value, str) or not _CURRENCY.fullmatch(value.upper()):
        msg = f"expected an ISO 4217 code of three letters such as 'RUB', got {value!r}"
        raise InvalidValue(msg)
    return value.upper()


def _consequence(value: Any) -> Consequence:
    try:
        return Consequence(value)
    except ValueError:
        choices = ", ".join(c.value for c in Consequence)
        msg = f"expected a Consequence ({choices}), got {value!r}"
        raise InvalidValue(msg) from None


def categories(value: Iterable[str] | str) -> frozenset[str]:
    """Converter: categories as a frozenset of names."""
    return names(value, "categories")


def optional_text(value: str | None) -> str | None:
    """Converter: None, or a string."""
    return None if value is None else text(value)


def optional_reference(value: str | None) -> str | None:
    """Converter: None, or a non-empty id."""
    return None if value is None else reference(value)


def consequence(value: Consequence | str | None) -> Consequence | None:
    """Converter: None, or a `Consequence` (or its value, such as ``"block"``)."""
    return None if value is None else _consequence(value)


def moment(value: When) -> Moment:
    """Converter: a day or an exact instant (see `to_moment`)."""
    return to_moment(value)


def optional_moment(value: When | None) -> Moment | None:
    """Converter: None, or a moment."""
    return None if value is None else to_moment(value)


def optional_exact_moment(value: When | None) -> Moment | None:
    """Converter: None, a day or an instant, not a span (a fine's `until`)."""
    if value is None:
        return None
    moment = to_moment(value)
    if isinstance(moment, Imprecise):
        msg = f"a day or an instant is needed here, got the span {moment.text!r}"
        raise TimeError(msg)
    return moment


def optional_span(value: str | timedelta | None) -> str | None:
    """Converter: None, or a duration as canonical ISO 8601 text (see `to_span`)."""
    return None if value is None else to_span(value)
