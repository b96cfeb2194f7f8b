"""The record: every entry as the record learned it, with when (recorded time).

Shared between timelines like the fold log: each timeline reads its own prefix ``[0, m)``;
appending at the end of the newest one extends the lists in place.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Final

import attrs
import pendulum

from ._enums import Phase
from ._events import Event, EventCorrected, EventRetracted

__all__ = ["UNRECORDED", "Difference", "Entry", "Record", "Revision"]

#: The recorded-time key of an entry whose recording time is unknown: before everything.
UNRECORDED: Final = -(1 << 62)


class Record:
    """Entries in the order recorded, with their recorded-time keys.

    Ids of facts are looked up in the fold (they are the timeline's events); the record only
    indexes the ids the fold no longer has: corrections', and retracted events'.
    """

    __slots__ = ("corrections", "events", "gone", "keys", "lock")

    def __init__(self) -> None:
        self.keys: list[int] = []
        self.events: list[Event] = []
        self.corrections: dict[str, int] = {}  # a correction's id -> its entry index
        self.gone: dict[str, int] = {}  # a retracted event's id -> the retraction's index
        self.lock = threading.Lock()

    def prefix(self, m: int) -> Record:
        """A copy of the first `m` entries."""
        record = Record()
        record.keys = self.keys[:m]
        record.events = self.events[:m]
        record.corrections = {k: i for k, i in self.corrections.items() if i < m}
        record.gone = {k: i for k, i in self.gone.items() if i < m}
        return record

    def extend(
        self, keys: Sequence[int], events: tuple[Event, ...], *, corrections: bool = True
    ) -> None:
        """Add `events`, each recorded at its key (`corrections`: whether any of them is one)."""
        start = len(self.events)
        self.keys.extend(keys)
        self.events.extend(events)
        for offset, event in enumerate(events if corrections else ()):
            if isinstance(event, EventRetracted | EventCorrected):
                self.corrections[event.id] = start + offset
                if isinstance(event, EventRetracted):
                    self.gone[event.event] = start + offset

    def used(self, event_id: str, m: int) -> bool:
        """Whether the first `m` entries used `event_id` for a correction or a retracted event."""
        return self.corrections.get(event_id, m) < m or self.gone.get(event_id, m) < m


@attrs.frozen(kw_only=True)
class Entry:
    """One entry of the record: an event, and when the record learned it.

    Attributes:
        event: the event (a fact, or a correction of one).
        recorded_at: when it was recorded, in the dispute's zone; None when unknown (an
            entry built without a recorded time counts as known from the start).
    """

    event: Event
    recorded_at: pendulum.DateTime | None


@attrs.frozen(kw_only=True)
class Revision:
    """One version of an event in the record.

    Attributes:
        recorded_at: from when the record said so (None: from the start).
        event: the event as it stood from then on; None once retracted.
        by: the id of the entry that made this version (the event itself, or a correction).
    """

    recorded_at: pendulum.DateTime | None
    event: Event | None
    by: str


@attrs.frozen(kw_only=True)
class Difference:
    """A span of valid time whose phase two records disagree on.

    Attributes:
        start: its first instant, in the dispute's zone.
        end: the first instant after it; None if it never ends.
        before: the phase by the first record.
        after: the phase by the second record.
    """

    start: pendulum.DateTime
    end: pendulum.DateTime | None
    before: Phase
    after: Phase
