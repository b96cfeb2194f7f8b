"""regtimeline: regulator-platform disputes as dated events, and their status at any time.

Examples:
    >>> from regtimeline import Dispute, Timeline, ThrottleImposed
    >>> ru = Dispute(id="ru-twitter", regulator="Roskomnadzor", platform="Twitter",
    ...              jurisdiction="RU", timezone="Europe/Moscow")
    >>> Timeline(ru, [ThrottleImposed(at="2021-03-10")]).status_at("2021-03-11").phase.name
    'THROTTLED'
"""

from ._archive import Archive, DisputeDeadline, DisputePeriod, DisputeStatus
from ._dispute import Dispute
from ._enums import Consequence, DeadlineState, Phase, RequestState
from ._events import (
    BlockImposed,
    BlockLifted,
    ContentRemoved,
    DeadlineExtended,
    DeadlineMet,
    DeadlineSet,
    DeadlineWithdrawn,
    DelistingImposed,
    DelistingLifted,
    Event,
    EventCorrected,
    EventRetracted,
    FineCancelled,
    FineImposed,
    FinePaid,
    Statement,
    TakedownRequested,
    ThrottleImposed,
    ThrottleLifted,
    WarningIssued,
)
from ._files import check, dump, load
from ._imprecise import Imprecise
from ._record import Difference, Entry, Revision
from ._rules import RULES, Rule
from ._scope import Box, Scope
from ._status import (
    Block,
    Deadline,
    Deadlines,
    Delisting,
    DelistingPart,
    Extension,
    FineState,
    Period,
    PeriodColumns,
    Request,
    Spell,
    Status,
    Takedowns,
    Throttle,
)
from ._timeline import Timeline
from ._window import Window
from .errors import (
    ConcurrencyError,
    DuplicateEvent,
    InvalidTransition,
    InvalidValue,
    MissingExtra,
    RegTimelineError,
    SchemaError,
    StoreError,
    TimeError,
    UnknownReference,
)
from .stores import Store, StoredEvent, open_store

__all__ = [
    "RULES",
    "Archive",
    "Block",
    "BlockImposed",
    "BlockLifted",
    "Box",
    "ConcurrencyError",
    "Consequence",
    "ContentRemoved",
    "Deadline",
    "DeadlineExtended",
    "DeadlineMet",
    "DeadlineSet",
    "DeadlineState",
    "DeadlineWithdrawn",
    "Deadlines",
    "Delisting",
    "DelistingImposed",
    "DelistingLifted",
    "DelistingPart",
    "Difference",
    "Dispute",
    "DisputeDeadline",
    "DisputePeriod",
    "DisputeStatus",
    "DuplicateEvent",
    "Entry",
    "Event",
    "EventCorrected",
    "EventRetracted",
    "Extension",
    "FineCancelled",
    "FineImposed",
    "FinePaid",
    "FineState",
    "Imprecise",
    "InvalidTransition",
    "InvalidValue",
    "MissingExtra",
    "Period",
    "PeriodColumns",
    "Phase",
    "RegTimelineError",
    "Request",
    "RequestState",
    "Revision",
    "Rule",
    "SchemaError",
    "Scope",
    "Spell",
    "Statement",
    "Status",
    "Store",
    "StoreError",
    "StoredEvent",
    "TakedownRequested",
    "Takedowns",
    "Throttle",
    "ThrottleImposed",
    "ThrottleLifted",
    "TimeError",
    "Timeline",
    "UnknownReference",
    "WarningIssued",
    "Window",
    "check",
    "dump",
    "load",
    "open_store",
]
