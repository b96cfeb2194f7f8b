"""Bundled example data: real disputes, from public reporting.

- the founding case, Roskomnadzor against Twitter, 2021-2022 (`twitter_russia`);
- the communications shutdown of Jammu and Kashmir, 2019-2021: regional, restored piece by
  piece (`jammu_kashmir`);
- Brazil's Supreme Court against X, 2024: a deadline enforced by a nationwide suspension,
  alongside an order to the app stores, then met (`brazil_x`);
- Nigeria against Twitter, 2021-2022: a suspension, conditions for lifting it with no date
  (an open demand), met in January 2022 (`nigeria_twitter`);
- India against TikTok, 2020-2021: an interim ban made permanent by notices the reporting
  dates only to a month (`india_tiktok`).

The events live in ``regtimeline/data/*.jsonl``, in the library's own JSON Lines format
(written by ``tools/make_cases.py`` for all but the founding case); every event cites the public
reporting it rests on, and where reporting gives only an approximate date, its `note` says
so.

Examples:
    >>> timeline = twitter_russia()
    >>> timeline.status_at("2021-04-10").phase.name
    'THROTTLED'
"""

from __future__ import annotations

import functools
from importlib import resources
from typing import Final

from ._dispute import Dispute
from ._events import Event
from ._files import load
from ._timeline import Timeline

__all__ = [
    "FOUNDING_CASE_FILE",
    "TWITTER_RUSSIA",
    "brazil_x",
    "cases",
    "india_tiktok",
    "jammu_kashmir",
    "nigeria_twitter",
    "twitter_russia",
    "twitter_russia_events",
]

#: The file the founding case is read from (inside the installed package).
FOUNDING_CASE_FILE: Final = "data/twitter-russia-2021.jsonl"


@functools.cache
def twitter_russia() -> Timeline:
    """The founding case as a timeline, read from the bundled file.

    Examples:
        >>> twitter_russia().status_at("2021-05-16").deadlines.get("block-threat").state.name
        'OVERDUE'
    """
    return _bundled(FOUNDING_CASE_FILE)


def _bundled(name: str) -> Timeline:
    with resources.as_file(resources.files("regtimeline") / name) as path:
        return load(path)


@functools.cache
def jammu_kashmir() -> Timeline:
    """Jammu and Kashmir, 2019-2021: a regional shutdown restored piece by piece.

    A block on the union territory's 20 districts from 4 August 2019; from 25 January 2020
    a restriction (2G on mobile, whitelisted sites only) instead; fixed lines unrestricted
    from 4 March 2020; 4G back in Ganderbal and Udhampur from 16 August 2020, 9 pm; 4G
    everywhere on 5 February 2021. Districts are place names (they have no ISO 3166-2 code).

    Examples:
        >>> sept = jammu_kashmir().status_at("2020-09-01")
        >>> sept.phase_for(region="Ganderbal").name, sept.phase_for(region="Srinagar").name
        ('CLEAR', 'THROTTLED')
    """
    return _bundled("data/jammu-kashmir-2019.jsonl")


@functools.cache
def brazil_x() -> Timeline:
    """Brazil's Supreme Court against X, 2024.

    An order of 28 August to name a legal representative within 24 hours; a nationwide
    suspension from 30 August enforcing it, with an order to Apple and Google to delist the
    app that was suspended the same day; the demand met and access authorised again on
    8 October.

    Examples:
        >>> status = brazil_x().status_at("2024-09-15")
        >>> status.phase.name, status.block.by
        ('BLOCKED', 'Justice Alexandre de Moraes, Supremo Tribunal Federal')
    """
    return _bundled("data/brazil-x-2024.jsonl")


@functools.cache
def nigeria_twitter() -> Timeline:
    """Nigeria against Twitter, 2021-2022: a suspension lifted when an open demand was met.

    Suspended from 5 June 2021; on 1 October 2021 five conditions for lifting it, with no
    date (an open demand: PENDING, never OVERDUE); met on 12 January 2022, lifted from
    midnight on 13 January.

    Examples:
        >>> demand = nigeria_twitter().status_at("2021-12-31").deadlines.get("five-conditions")
        >>> demand.state.name, demand.due
        ('PENDING', None)
    """
    return _bundled("data/nigeria-twitter-2021.jsonl")


@functools.cache
def india_tiktok() -> Timeline:
    """India against TikTok, 2020-2021: an interim ban, made permanent in January 2021.

    No report gives the day of the notices: ``at="2021-01"``, a span of the whole month.

    Examples:
        >>> status = india_tiktok().status_at("2021-01-10")
        >>> status.phase.name, status.certain, [e.id for e in status.uncertain]
        ('BLOCKED', False, ['permanent-notices'])
    """
    return _bundled("data/india-tiktok-2020.jsonl")


def cases() -> tuple[Timeline, ...]:
    """Every bundled real case, by dispute id: an archive's worth (``Archive(cases())``).

    Examples:
        >>> [t.dispute.id for t in cases()]  # doctest: +NORMALIZE_WHITESPACE
        ['br-stf-x-2024', 'in-jk-internet-2019', 'in-meity-tiktok-2020', 'ng-fgn-twitter-2021',
         'ru-roskomnadzor-twitter']
    """
    found = (brazil_x(), jammu_kashmir(), india_tiktok(), nigeria_twitter(), twitter_russia())
    return tuple(sorted(found, key=lambda t: t.dispute.id))


def twitter_russia_events() -> tuple[Event, ...]:
    """The founding case's events, each with its public source, in time order.

    Examples:
        >>> [e.kind for e in twitter_russia_events()][:2]
        ['takedown_requested', 'throttle_imposed']
    """
    return twitter_russia().events


#: The dispute of the founding case.
TWITTER_RUSSIA: Final[Dispute] = twitter_russia().dispute
