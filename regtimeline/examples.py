"""Bundled example data: the founding case, Roskomnadzor against Twitter, 2021-2022.

The events live in ``regtimeline/data/twitter-russia-2021.jsonl``, in the library's own
JSON Lines format; every event cites the public reporting it rests on, and where reporting
gives only an approximate date, its `note` says so.

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

__all__ = ["FOUNDING_CASE_FILE", "TWITTER_RUSSIA", "twitter_russia", "twitter_russia_events"]

#: The file the founding case is read from (inside the installed package).
FOUNDING_CASE_FILE: Final = "data/twitter-russia-2021.jsonl"


@functools.cache
def twitter_russia() -> Timeline:
    """The founding case as a timeline, read from the bundled file.

    Examples:
        >>> twitter_russia().status_at("2021-05-16").deadlines.get("block-threat").state.name
        'OVERDUE'
    """
    with resources.as_file(resources.files("regtimeline") / FOUNDING_CASE_FILE) as path:
        return load(path)


def twitter_russia_events() -> tuple[Event, ...]:
    """The founding case's events, each with its public source, in time order.

    Examples:
        >>> [e.kind for e in twitter_russia_events()][:2]
        ['takedown_requested', 'throttle_imposed']
    """
    return twitter_russia().events


#: The dispute of the founding case.
TWITTER_RUSSIA: Final[Dispute] = twitter_russia().dispute
