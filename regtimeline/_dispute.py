"""`Dispute`: one regulator against one platform in one jurisdiction."""

from __future__ import annotations

import functools
import re
from importlib import resources
from typing import Any, Final

import attrs

from . import _fields as f
from ._time import Zone, zone
from .errors import InvalidValue, TimeError

__all__ = ["Dispute"]

_ALPHA2: Final = re.compile(r"[A-Z]{2}")


def _jurisdiction(value: Any) -> str:
    # ASCII first: the dotless i upper-cases to "I", where the JSON Schema's [A-Za-z]{2}
    # refuses it
    if not isinstance(value, str) or not value.isascii() or not _ALPHA2.fullmatch(value.upper()):
        msg = f"expected an ISO 3166-1 alpha-2 code such as 'RU', got {value!r}"
        raise InvalidValue(msg)
    return value.upper()


@functools.cache
def iana_zones() -> frozenset[str]:
    """The zone names of the IANA database (as the tzdata package lists them).

    Names that depend on the machine (``localtime``, ``posixrules``, ``right/...``, or
    ``utc`` in lower case, which some systems' files accept) are not among them.
    """
    import tzdata  # noqa: PLC0415 - installed with pendulum

    listed = resources.files(tzdata).joinpath("zones").read_text(encoding="utf-8")
    return frozenset(listed.split())


def _timezone(value: Any) -> str:
    if not isinstance(value, str):
        msg = f"expected an IANA time zone name such as 'Europe/Moscow', got {value!r}"
        raise InvalidValue(msg)
    if value not in iana_zones():
        close = sorted(z for z in iana_zones() if z.lower() == value.lower())
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        msg = (
            f"{value!r:.60} is not an IANA time zone name such as 'Europe/Moscow'{hint}; "
            "names that depend on the machine (localtime, posixrules, right/...) are refused"
        )
        raise TimeError(msg)
    zone(value)  # raises TimeError for a zone this machine cannot read
    return value


@f.with_context
@attrs.frozen(kw_only=True)
class Dispute:
    """One regulator against one platform in one jurisdiction.

    Attributes:
        id: a stable identifier, e.g. ``"ru-twitter-2021"``.
        regulator: who demands, e.g. ``"Roskomnadzor"``.
        platform: who is asked, e.g. ``"Twitter"``.
        jurisdiction: ISO 3166-1 alpha-2 code (stored upper case).
        timezone: IANA zone name; bare dates in the dispute's events mean days there.

    Raises:
        InvalidValue: an empty id or name, or a malformed jurisdiction.
        TimeError: an unknown time zone.

    Examples:
        >>> d = Dispute(id="ru-twitter", regulator="Roskomnadzor", platform="Twitter",
        ...             jurisdiction="ru", timezone="Europe/Moscow")
        >>> d.jurisdiction
        'RU'
    """

    id: str = attrs.field(converter=f.reference)
    regulator: str = attrs.field(converter=f.reference)
    platform: str = attrs.field(converter=f.reference)
    jurisdiction: str = attrs.field(converter=_jurisdiction)
    timezone: str = attrs.field(converter=_timezone)

    @property
    def zone(self) -> Zone:
        """The dispute's time zone, with its day boundaries and calendar arithmetic."""
        return zone(self.timezone)
