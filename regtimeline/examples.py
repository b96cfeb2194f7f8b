"""Bundled example data: the founding case, Roskomnadzor against Twitter, 2021-2022.

Every event cites the public reporting it rests on. Where reporting gives only an
approximate date, the event's `note` says so.

Examples:
    >>> timeline = twitter_russia()
    >>> timeline.status_at("2021-04-10").phase.name
    'THROTTLED'
"""

from __future__ import annotations

from typing import Final

from ._dispute import Dispute
from ._enums import Consequence
from ._events import (
    BlockImposed,
    ContentRemoved,
    DeadlineExtended,
    Event,
    FineImposed,
    Statement,
    TakedownRequested,
    ThrottleImposed,
    ThrottleLifted,
    WarningIssued,
)
from ._scope import Scope
from ._timeline import Timeline

__all__ = ["TWITTER_RUSSIA", "twitter_russia", "twitter_russia_events"]

_TASS: Final = "https://tass.com/society/1264391"
_PRAVDA: Final = "https://english.pravda.ru/amp/russia/147389-twitter"
_AP: Final = "https://www.wnky.com/i/twitter-slowdown-in-russia-until-mid-may-no-block-for-now/"
_UPI: Final = (
    "https://www.upi.com/Top_News/World-News/2021/04/05/"
    "russia-twitter-slowdown-alexei-navalny/2671617634753/"
)
_WION: Final = "https://www.wionews.com/world/russia-extends-deadline-for-twitter-to-remove-banned-content-375503"
_PLEDGE: Final = (
    "https://pledgetimes.com/"
    "roskomnadzor-changed-its-mind-to-block-twitter-in-april-and-scheduled-a-shutdown-for-may/"
)
_FORBES: Final = (
    "https://forbesmiddleeast.com/ar/innovation/technology/"
    "russia-says-twitter-mobile-slowdown-to-remain-until-all-banned-content-is-removed"
)
_DIGWATCH: Final = "https://dig.watch/updates/russia-blocks-facebook-and-twitter"

#: The dispute of the founding case.
TWITTER_RUSSIA: Final = Dispute(
    id="ru-roskomnadzor-twitter",
    regulator="Roskomnadzor",
    platform="Twitter",
    jurisdiction="RU",
    timezone="Europe/Moscow",
)

_CATEGORIES: Final = frozenset({"csam", "drugs", "suicide"})


def twitter_russia_events() -> tuple[Event, ...]:
    """The founding case's events, each with its public source, in time order.

    Examples:
        >>> [e.kind for e in twitter_russia_events()][:2]
        ['takedown_requested', 'throttle_imposed']
    """
    return (
        TakedownRequested(
            at="2021-03-10",
            id="unremoved-2021-03",
            items=3168,
            categories=_CATEGORIES,
            sla="PT24H",
            source=_PRAVDA,
            note="3,168 items flagged since 2017 and still online on 10 March 2021; "
            "the law demands removal within 24 hours",
        ),
        ThrottleImposed(
            at="2021-03-10",
            id="slowdown",
            scope=Scope(services={"photos", "videos"}),
            rate="100% of mobile and 50% of fixed traffic",
            source=_TASS,
            note="photos and videos slowed; text messages not limited",
        ),
        WarningIssued(
            at="2021-03-16",
            id="block-threat",
            categories=_CATEGORIES,
            items=3168,
            text="Remove the banned content within a month or face a complete block",
            due="2021-04-15",
            consequence=Consequence.BLOCK,
            source=_AP,
            note="reported on 5 April as 'three weeks ago ... within 30 days'; a block was "
            "announced for 16 April if the demands were not met, so the last day is 15 April; "
            "the warning's date is approximate",
        ),
        Statement(
            at="2021-04-01",
            by="Twitter",
            id="talks-2021-04-01",
            text="A constructive conversation with Roskomnadzor; zero tolerance for child "
            "sexual exploitation and for promoting suicide",
            source=_UPI,
        ),
        FineImposed(
            at="2021-04-02",
            id="fines-2021-04",
            amount="8900000",
            currency="RUB",
            by="Moscow court",
            source=_PLEDGE,
            note="three protocols of 3.2, 3.3 and 2.4 million roubles; reported on 5 April as "
            "'earlier' and 'last week', so the date is approximate",
        ),
        ContentRemoved(
            at="2021-04-05",
            id="removed-by-2021-04-05",
            items=1900,
            request="unremoved-2021-03",
            source=_WION,
            note="about 1,900 of the 3,100 flagged items removed since the slowdown began; "
            "flagged content was being removed within 81 hours on average",
        ),
        DeadlineExtended(
            at="2021-04-05",
            id="extension-2021-04-05",
            deadline="block-threat",
            by="P1M",
            source=_WION,
            note="slowdown kept until 15 May; no block, as Twitter changed its moderation",
        ),
        Statement(
            at="2021-04-05",
            by="Roskomnadzor",
            id="no-block-2021-04-05",
            text="Decided not to block Twitter: it changed how its moderation works in Russia",
            source=_UPI,
        ),
        ThrottleLifted(
            at="2021-05-17",
            id="fixed-restored",
            throttle="slowdown",
            scope=Scope(networks={"fixed"}),
            source=_FORBES,
            note="slowdown lifted on fixed networks, kept on mobile ones",
        ),
        BlockImposed(
            at="2022-03-04",
            id="block-2022",
            source=_DIGWATCH,
            note="access restricted after a demand of the Prosecutor General's Office",
        ),
    )


def twitter_russia() -> Timeline:
    """The founding case as a timeline.

    Examples:
        >>> twitter_russia().status_at("2021-05-16").deadlines.get("block-threat").state.name
        'OVERDUE'
    """
    return Timeline(TWITTER_RUSSIA, twitter_russia_events())
