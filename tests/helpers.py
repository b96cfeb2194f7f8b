"""Small builders shared by the tests."""

from __future__ import annotations

from regtimeline import Dispute, Event, RegTimelineError, Timeline

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
