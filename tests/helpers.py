"""Small builders shared by the tests."""

from __future__ import annotations

from collections.abc import Sequence

from regtimeline import Dispute, Event, Period, PeriodColumns, RegTimelineError, Timeline

MOSCOW = Dispute(
    id="ru-twitter",
    regulator="Roskomnadzor",
    platform="Twitter",
    jurisdiction="RU",
    timezone="Europe/Moscow",
)
UTC_DISPUTE = Dispute(id="utc", regulator="R", platform="P", jurisdiction="GB", timezone="UTC")


def timeline(*events: Event, dispute: Dispute = MOSCOW) -> Timeline:
    return Timeline(dispute, events)


def columns_of(timeline: Timeline, periods: Sequence[Period]) -> PeriodColumns:
    """`history()`'s periods as `history_columns()` gives them, field by field."""
    key = timeline.dispute.zone.key

    def span(s: tuple[object, object] | None) -> tuple[int, int] | None:
        return None if s is None else (key(s[0]), key(s[1]))  # type: ignore[arg-type]

    return PeriodColumns(
        start=tuple(key(p.start) for p in periods),
        end=tuple(None if p.end is None else key(p.end) for p in periods),
        phase=tuple(p.phase for p in periods),
        cause=tuple(p.cause for p in periods),
        start_span=tuple(span(p.start_span) for p in periods),
        end_span=tuple(span(p.end_span) for p in periods),
        certain=tuple(p.certain for p in periods),
    )


def refusal(error: type[RegTimelineError], base: Timeline, event: Event) -> str:
    """Append `event`, expect `error`, check the timeline is unchanged; return the message."""
    before = base.events
    try:
        base.append(event)
    except error as exc:
        assert base.events == before
        message = str(exc)
        assert event.kind in message, message
        assert repr(event.id) in message, message
        return message
    msg = f"{event!r} was accepted, expected {error.__name__}"
    raise AssertionError(msg)
