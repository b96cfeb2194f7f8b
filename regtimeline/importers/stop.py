r"""Access Now's #KeepItOn STOP data (the Shutdown Tracker Optimization Project), imported.

Reads the workbook Access Now publishes (``.xlsx``; the ``xlsx`` extra, python-calamine) or
the CSV export of any one of its sheets, recognises each sheet's layout by its columns
(2016-2018, 2019, 2020-2022), and maps every row onto disputes and events, with a `Report`
that accounts for every row read: imported, merged (the same shutdown in two sheets), or
skipped with its reason. The mapping is described row by row on the docs page "Import
the #KeepItOn STOP data". Credit: Access Now, #KeepItOn STOP.

Examples:
    >>> import pathlib, tempfile
    >>> from regtimeline.importers import stop
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "2021.csv"
    >>> _ = path.write_text(
    ...     "start_date_type,start_date,country,area_name,shutdown_type,affected_network,"
    ...     "shutdown_extent,shutdown_status,end_date,info_source_link\n"
    ...     "Actual,2021-01-13,Uganda,National,Shutdown,\"Broadband, Mobile\",Full network,"
    ...     "Ended,2021-01-18,https://www.accessnow.org/\n")
    >>> result = stop.read(path)
    >>> print(result.report)
    1 rows read: 1 imported, 0 merged, 0 skipped
    >>> uganda = result.archive["stop-ug-internet"]
    >>> [uganda.status_at(day).phase.name for day in ("2021-01-13", "2021-01-18", "2021-01-19")]
    ['BLOCKED', 'BLOCKED', 'CLEAR']
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import os
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import Final

import attrs

from regtimeline import (
    Archive,
    BlockImposed,
    BlockLifted,
    Dispute,
    Event,
    InvalidTransition,
    InvalidValue,
    RegTimelineError,
    SchemaError,
    Scope,
    Statement,
    ThrottleImposed,
    ThrottleLifted,
    Timeline,
)
from regtimeline.errors import MissingExtra

__all__ = [
    "LAYOUTS",
    "Change",
    "Exported",
    "Imported",
    "Report",
    "Row",
    "RowReport",
    "read",
    "read_rows",
    "write",
]

#: Credit to show wherever the data is used.
CREDIT: Final = "Access Now, #KeepItOn STOP (Shutdown Tracker Optimization Project)"


# --- layouts -------------------------------------------------------------------------------


@attrs.frozen
class Layout:
    """A sheet's columns: which column holds each field the mapping reads.

    Attributes:
        name: the years it was used for.
        columns: field -> the column's name (normalised: lower case, single spaces).
        known: every column of the layout (those the mapping does not read are kept out
            of the report's "unplaced columns").
        required: the columns that tell the layout apart (the others may be left out).
    """

    name: str
    columns: Mapping[str, str]
    known: frozenset[str]
    required: frozenset[str]


def _norm(header: object) -> str:
    return " ".join(str(header).split()).lower()


_SERVICES_2020: Final = {
    "facebook_affected": "Facebook",
    "twitter_affected": "Twitter",
    "whatsapp_affected": "WhatsApp",
    "instagram_affected": "Instagram",
    "telegram_affected": "Telegram",
}

LAYOUTS: Final = (
    Layout(
        name="2020-2022",
        columns={
            "start_date_type": "start_date_type",
            "start_date": "start_date",
            "country": "country",
            "geo_scope": "geo_scope",
            "area": "area_name",
            "type": "shutdown_type",
            "network": "affected_network",
            "extent": "shutdown_extent",
            "ordered_by": "ordered_by",
            "decision_maker": "decision_maker",
            "cause": "actual_cause",
            "cause_details": "actual_cause_details",
            "links": "info_source_link",
            "status": "shutdown_status",
            "end_date": "end_date",
            "justification": "gov_justification",
            "justification_details": "gov_just_details",
            "other_services": "other_affected",
            "sms": "sms_affected",
            "voice": "phonecall_affected",
            "telcos": "telcos_involved",
            "an_link": "an_link",
            **{k: k for k in _SERVICES_2020},
        },
        known=frozenset(
            [
                "start_date_type",
                "start_date",
                "country",
                "geo_scope",
                "area_name",
                "shutdown_type",
                "affected_network",
                "shutdown_extent",
                "ordered_by",
                "decision_maker",
                "actual_cause",
                "actual_cause_details",
                "info_source",
                "info_source_link",
                "shutdown_status",
                "end_date",
                "duration",
                "gov_justification",
                "gov_just_details",
                "gov_ack",
                "legal_just",
                "legal_method",
                "gov_ack_source",
                "gov_ack_quote",
                "facebook_affected",
                "twitter_affected",
                "whatsapp_affected",
                "instagram_affected",
                "telegram_affected",
                "other_affected",
                "sms_affected",
                "phonecall_affected",
                "telcos_involved",
                "telco_ack",
                "telco_ack_source",
                "telco_ack_quote",
                "election",
                "violence",
                "hr_abuse_reported",
                "users_targeted",
                "users_target_detail",
                "users_notified",
                "econ_impact",
                "event",
                "an_link",
            ]
        ),
        required=frozenset(
            {
                "start_date_type",
                "start_date",
                "country",
                "shutdown_type",
                "shutdown_extent",
                "shutdown_status",
            }
        ),
    ),
    Layout(
        name="2019",
        columns={
            "start_date": "start_date",
            "end_date": "end_date",
            "country": "country",
            "geo_scope": "geo_scope",
            "area": "area_name",
            "type": "shutdown_type_new",
            "network": "affected_network",
            "extent": "full or service-based",
            "ordered_by": "ordered_by",
            "decision_maker": "decision_maker",
            "cause": "actual_cause",
            "cause_details": "other_cause_details",
            "links": "news_link",
            "justification": "official_just",
            "justification_details": "other_just_details",
            "other_services": "other_service_details (specify)",
            "sms_voice": "sms_and_phone_call_affected",
            "telcos": "telcos_involved",
            "an_link": "an_link",
            "notes": "notes",
            **{k: k for k in _SERVICES_2020},
        },
        known=frozenset(
            [
                "id",
                "start_date",
                "end_date",
                "duration",
                "info_source",
                "news_link",
                "continent",
                "sub-region",
                "country",
                "geo_scope",
                "area_name",
                "ordered_by",
                "decision_maker",
                "shutdown_type_new",
                "affected_network",
                "full or service-based",
                *_SERVICES_2020,
                "other_service_details (specify)",
                "sms_and_phone_call_affected",
                "telcos_involved",
                "gov_ack",
                "official_just",
                "other_just_details",
                "off_statement",
                "actual_cause",
                "other_cause_details",
                "election",
                "violence",
                "hr_abuse_reported",
                "users_notified",
                "users_affected/targetted",
                "legal_justif",
                "legal_method",
                "telco_resp",
                "telco_ ack",
                "econ_impact",
                "event",
                "an_link",
                "notes",
            ]
        ),
        required=frozenset({"start_date", "country", "shutdown_type_new", "full or service-based"}),
    ),
    Layout(
        name="2016-2018",
        columns={
            "start_date": "start_date",
            "end_date": "end_date",
            "country": "country",
            "geo_scope": "geo_scope",
            "area": "area_name",
            "ordered_by": "ordered_by",
            "type_group": "shutdown_type_group",
            "type": "shutdown_type",
            "justification": "official_just",
            "cause": "actual_cause",
            "links": "news_link",
            "an_link": "an_link",
            "services": "services_affected",
            "service_details": "service_details",
            "notes": "notes",
        },
        known=frozenset(
            [
                "year",
                "start_date",
                "end_date",
                "duration_days",
                "duration_hours",
                "info_source",
                "news_link",
                "continent",
                "sub_region",
                "country",
                "geo_scope",
                "area_name",
                "ordered_by",
                "shutdown_type_group",
                "shutdown_type",
                "official_just",
                "actual_cause",
                "econ_impact",
                "event",
                "an_link",
                "services_affected",
                "service_details",
                "notes",
                "latitude",
                "longitude",
                "id",
            ]
        ),
        required=frozenset({"start_date", "country", "shutdown_type_group", "shutdown_type"}),
    ),
)


def layout_of(header: Sequence[object]) -> Layout:
    """The layout whose columns a header holds.

    Raises:
        SchemaError: no layout fits; the message names the columns that cannot be placed.
    """
    names = {_norm(h) for h in header if _norm(h)}
    best = max(LAYOUTS, key=lambda layout: len(names & layout.known))
    missing = set(best.required) - names
    if not missing:
        return best
    unplaced = sorted(names - best.known)
    msg = (
        f"no STOP layout has these columns: cannot place {', '.join(map(repr, unplaced)) or 'none'}"
        f"; closest is the {best.name} layout, which also needs "
        f"{', '.join(map(repr, sorted(missing)))}"
    )
    raise SchemaError(msg)


# --- reading -------------------------------------------------------------------------------


@attrs.frozen
class Row:
    """One row as read.

    Its sheet, its row number there (the header is row 1), its layout, and its cells by
    field (see `Layout.columns`).
    """

    sheet: str
    number: int
    layout: str
    cells: Mapping[str, object]


def _sheets(path: Path) -> Iterator[tuple[str, list[list[object]]]]:
    if path.suffix.lower() in (".csv", ".txt"):
        with path.open(newline="", encoding="utf-8-sig") as handle:
            try:
                rows: list[list[object]] = [list(r) for r in csv.reader(handle)]
            except UnicodeDecodeError as exc:
                msg = f"{path}: not UTF-8 text ({exc.reason}); save the CSV as UTF-8"
                raise SchemaError(msg) from None
        yield path.stem, rows
        return
    try:
        from python_calamine import CalamineWorkbook  # noqa: PLC0415 - the xlsx extra
    except ImportError:
        msg = "reading a workbook needs python-calamine: pip install 'regtimeline[xlsx]'"
        raise MissingExtra(msg) from None
    try:
        book = CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # noqa: BLE001 - calamine raises its own kinds for a bad file
        msg = f"{path}: not a workbook this importer can read: {exc}"
        raise SchemaError(msg) from None
    for name in book.sheet_names:
        cells = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
        yield name, [list[object](row) for row in cells]


def _path(value: object) -> Path:
    """A file's path, or InvalidValue (not a str or path, empty, or holding a NUL)."""
    text = os.fspath(value) if isinstance(value, str | os.PathLike) else None
    if not isinstance(text, str) or not text or "\x00" in text:
        msg = f"the STOP importer takes a file's path (a str or pathlib.Path), got {value!r:.60}"
        raise InvalidValue(msg)
    return Path(text)


def read_rows(path: str | os.PathLike[str]) -> Iterator[Row | RowReport]:
    """Every row of every sheet, with its layout.

    A row of a sheet of no known layout is given as a `RowReport` saying so (nothing is
    dropped silently).

    Raises:
        MissingExtra: a workbook, and python-calamine is not installed.
        SchemaError: the file cannot be read as a workbook, or a CSV of no known layout.
        OSError: the file cannot be read.
        InvalidValue: `path` is not a path.
    """
    path = _path(path)
    csv_file = path.suffix.lower() in (".csv", ".txt")
    for sheet, rows in _sheets(path):
        if not rows:
            continue
        try:
            layout = layout_of(rows[0])
        except SchemaError as exc:
            if csv_file:
                raise SchemaError(f"{path}: {exc}") from None
            for number, row in enumerate(rows, start=1):
                if any(_text(c) for c in row):
                    reason = f"the sheet has no known layout ({exc}); its rows are not read"
                    yield RowReport(sheet=sheet, row=number, outcome="skipped", reason=reason)
            continue
        index = {_norm(h): i for i, h in enumerate(rows[0])}
        for number, row in enumerate(rows[1:], start=2):
            if not any(_text(c) for c in row):
                continue  # an empty row is not a row
            cells = {
                field: row[index[column]] if index[column] < len(row) else ""
                for field, column in layout.columns.items()
                if column in index
            }
            yield Row(sheet=sheet, number=number, layout=layout.name, cells=cells)


# --- values --------------------------------------------------------------------------------


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return " ".join(str(value).split())


def _yes(value: object) -> bool:
    return value is True or _text(value).lower() in ("yes", "true", "1")


def _day(value: object, what: str) -> dt.date:
    """A cell holding a day: a date, a datetime, an ISO text or a spreadsheet serial number."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = _text(value)
    if text.startswith("="):
        msg = f"{what} is a formula ({text!r:.40}) whose value the file does not hold"
        raise InvalidValue(msg)
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        pass
    try:
        serial = float(text)
    except ValueError:
        msg = f"{what} {text!r:.40} is not a date"
        raise InvalidValue(msg) from None
    if 20_000 < serial < 80_000:  # a spreadsheet's day count from 1899-12-30
        return dt.date(1899, 12, 30) + dt.timedelta(days=int(serial))
    msg = f"{what} {text!r:.40} is not a date"
    raise InvalidValue(msg)


def _words(name: str) -> frozenset[str]:
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    plain = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", plain)  # DemocraticRepublicCongo
    words = re.findall(r"[a-z]+", plain.lower())
    return frozenset(w for w in words if w not in {"the", "of", "and"})


@cache
def _country_names() -> dict[frozenset[str], str]:
    """Every name of every country, as a set of words, to its ISO 3166-1 alpha-2 code.

    From pycountry, and from the IANA zone tables' iso3166.tab (which keeps older names).
    """
    import pycountry  # noqa: PLC0415

    names: dict[frozenset[str], str] = {}
    for c in pycountry.countries:
        for name in (c.name, getattr(c, "official_name", None), getattr(c, "common_name", None)):
            if name:
                names.setdefault(_words(name), c.alpha_2)
    for line in _zone_table("iso3166.tab"):
        code, name = line[0], line[1]
        names.setdefault(_words(name), code)
        names.setdefault(_words(re.sub(r"\(.*?\)", "", name)), code)
    return names


def country_code(name: str) -> str:
    """The ISO 3166-1 alpha-2 code of a country as STOP writes it.

    Raises:
        InvalidValue: no country has that name.

    Examples:
        >>> [country_code(n) for n in ("Iran (Islamic Republic of)", "Russia", "Turkey",
        ...                             "DemocraticRepublicCongo", "Palestine, State of")]
        ['IR', 'RU', 'TR', 'CD', 'PS']
    """
    if not isinstance(name, str):
        msg = f"a country is named by text, got {name!r:.60}"
        raise InvalidValue(msg)
    words = _words(name)
    if not words:
        msg = "the country is empty"
        raise InvalidValue(msg)
    names = _country_names()
    if words in names:
        return names[words]
    candidates = {code for w, code in names.items() if words <= w or (w <= words and len(w) > 1)}
    if len(candidates) == 1:
        return candidates.pop()
    msg = f"{name!r} is not a country in ISO 3166 (nor in the IANA zone tables' names)"
    raise InvalidValue(msg)


def _zone_table(name: str) -> Iterator[list[str]]:
    import tzdata  # noqa: PLC0415 - the IANA tables, installed with pendulum's dependencies

    table = Path(tzdata.__file__).parent / "zoneinfo" / name
    for line in table.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            yield line.split("\t")


@cache
def time_zone(code: str) -> str:
    """The IANA zone a country's dates are read in.

    Its only zone, or among several the one the IANA table (zone.tab) describes as "most"
    of the country, else the first it lists.

    Examples:
        >>> time_zone("IN"), time_zone("US"), time_zone("ET")
        ('Asia/Kolkata', 'America/New_York', 'Africa/Addis_Ababa')
    """
    zones = [
        (row[2], row[3] if len(row) > 3 else "")
        for row in _zone_table("zone.tab")
        if row[0] == code
    ]
    if not zones:
        msg = f"the IANA zone table has no zone for {code!r}"
        raise InvalidValue(msg)
    most = [z for z, comment in zones if "most" in comment.lower()]
    return (most or [zones[0][0]])[0]


# --- the mapping ---------------------------------------------------------------------------


@attrs.frozen
class RowReport:
    """What became of one row, and the disputes it went to.

    ``imported``; ``merged`` (the same shutdown as an earlier row, or a place already cut
    by another row's restriction: kept as a statement), with the reason; or ``skipped``,
    with the reason.
    """

    sheet: str
    row: int
    outcome: str
    reason: str | None = None
    disputes: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()


@attrs.frozen
class Change:
    """An event an import has that an earlier import did not, or the other way round.

    Attributes:
        dispute: the dispute's id.
        event: the event's id.
        change: ``added`` (only in this import), ``removed`` (only in the earlier one) or
            ``changed`` (in both, not the same: a later end date, another source).
    """

    dispute: str
    event: str
    change: str


@attrs.frozen
class Report:
    """Every row read, and what became of it; the counts reconcile exactly.

    Attributes:
        rows: each row's `RowReport`, by sheet and row number.
        notes: what holds for the whole import (the time zone chosen for a country that
            has several).
        changes: against the archive of an earlier import (`read(previous=...)`), each
            event added, removed or changed; empty without one.
    """

    rows: tuple[RowReport, ...]
    notes: tuple[str, ...] = ()
    changes: tuple[Change, ...] = ()

    @property
    def read(self) -> int:
        """Rows read (not counting headers and empty rows)."""
        return len(self.rows)

    @property
    def imported(self) -> int:
        """Rows that made events."""
        return sum(r.outcome == "imported" for r in self.rows)

    @property
    def merged(self) -> int:
        """Rows that repeat an imported row (the same shutdown in another sheet)."""
        return sum(r.outcome == "merged" for r in self.rows)

    @property
    def skipped(self) -> int:
        """Rows left out, each with its reason."""
        return sum(r.outcome == "skipped" for r in self.rows)

    def __str__(self) -> str:
        lines = [
            (
                f"{self.read} rows read: {self.imported} imported, {self.merged} merged, "
                f"{self.skipped} skipped"
            )
        ]
        lines += [
            f"  {r.sheet!r} row {r.row}: {r.reason}" for r in self.rows if r.outcome == "skipped"
        ]
        return "\n".join(lines)


@attrs.frozen
class Imported:
    """An import's result: the archive of the disputes it made, and the report."""

    archive: Archive
    report: Report


@attrs.frozen
class _Shutdown:
    """One row, understood: what was cut, where, when, by whom, and what is known about it."""

    country: str
    platforms: tuple[str, ...]
    kind: str  # "block" or "throttle"
    start: str  # a day, or an approximate day ("2021-03-10~")
    end: dt.date | None  # the last day it was in force
    networks: frozenset[str] | None
    regions: frozenset[str] | None
    operators: frozenset[str] | None
    by: str | None
    source: str | None
    note: str | None
    warnings: tuple[str, ...]

    def ident(self, platform: str) -> str:
        """A content-derived id: the same shutdown read again has the same id."""
        key = "|".join(
            [
                self.country,
                _slug(platform),
                self.kind,
                self.start,
                ",".join(sorted(self.networks or ()) if self.networks != _BOTH else ()),
                ",".join(sorted(self.regions or ())),
            ]
        )
        return "stop-" + hashlib.sha256(key.encode()).hexdigest()[:12]


_NETWORKS: Final = {
    "broadband, mobile": frozenset({"fixed", "mobile"}),
    "mobile and broadband": frozenset({"fixed", "mobile"}),
    "mobile": frozenset({"mobile"}),
    "broadband": frozenset({"fixed"}),
}
_BOTH: Final = frozenset({"fixed", "mobile"})
_NATIONWIDE: Final = frozenset({"", "nationwide", "national", "whole country", "countrywide"})


def _kind(row: Row) -> tuple[str, list[str]]:
    cells = row.cells
    text = _text(cells.get("type")).lower()
    group = _text(cells.get("type_group")).lower()
    warnings = []
    if row.layout == "2016-2018":
        kind = (
            "throttle"
            if "throttl" in group or ("throttl" in text and "internet" not in text)
            else "block"
        )
        if kind == "block" and "throttl" in text:
            warnings.append(f"shutdown_type {cells.get('type')!r}: imported as a block")
        return kind, warnings
    if "shutdown" in text:
        if "throttl" in text:
            warnings.append(f"shutdown_type {_text(cells.get('type'))!r}: imported as a block")
        return "block", warnings
    if "throttl" in text:
        return "throttle", warnings
    msg = f"shutdown_type {_text(cells.get('type'))!r} is neither a shutdown nor a throttle"
    raise InvalidValue(msg)


def _networks(row: Row) -> tuple[frozenset[str] | None, list[str]]:
    cells = row.cells
    if row.layout == "2016-2018":
        said = (cells.get("type"), cells.get("services"), cells.get("type_group"))
        text = " ".join(_text(c) for c in said).lower()
        nets = {n for word, n in (("broadband", "fixed"), ("mobile", "mobile")) if word in text}
        return (frozenset(nets) if nets and "full network" not in text else None), []
    text = _text(cells.get("network")).lower()
    if text in _NETWORKS:
        return _NETWORKS[text], []
    return None, [f"affected_network {_text(cells.get('network'))!r}: all networks"]


def _platforms(row: Row) -> list[str]:
    """``internet`` for a full-network shutdown, and each service a service-based one names."""
    cells = row.cells
    if row.layout == "2016-2018":
        group = _text(cells.get("type_group")).lower()
        if group != "service-based":
            return ["internet"]
        return _service_names(_text(cells.get("service_details"))) or ["internet"]
    extent = _text(cells.get("extent")).lower()
    platforms = []
    if "full" in extent or not extent:
        platforms.append("internet")
    if "service" in extent:
        platforms += [name for field, name in _SERVICES_2020.items() if _yes(cells.get(field))]
        platforms += _service_names(_text(cells.get("other_services")))
        sms_voice = _text(cells.get("sms_voice")).lower()
        if _yes(cells.get("sms")) or "sms" in sms_voice:
            platforms.append("SMS")
        if _yes(cells.get("voice")) or "phone" in sms_voice:
            platforms.append("Voice calls")
    return list(dict.fromkeys(platforms)) or ["internet"]


def _service_names(text: str) -> list[str]:
    names = [n.strip() for n in re.split(r"[,;/\n]| and ", text) if n.strip()]
    filler = {"no", "none", "unknown", "n/a", "other", "others", "possibly", "etc", "etc."}
    return [n for n in names if n.lower() not in filler]


def _regions(code: str, area: str) -> frozenset[str] | None:
    if area.lower() in _NATIONWIDE:
        return None
    import pycountry  # noqa: PLC0415

    for s in pycountry.subdivisions.get(country_code=code) or ():  # type: ignore[no-untyped-call]
        if _words(s.name) == _words(area):
            return frozenset({s.code})
    return frozenset({area})


def _operators(text: str) -> frozenset[str] | None:
    names = [re.sub(r"^[^:]{2,40}:\s*", "", n).strip() for n in re.split(r"[,;\n]", text)]
    kept = [n for n in names if n and n.lower() not in ("unknown", "n/a", "none", "all", "")]
    return frozenset(kept) or None


def _links(*cells: object) -> str | None:
    found: list[str] = []
    for cell in cells:
        for part in re.split(r"[\s;,]+", _text(cell)):
            if part.startswith(("http://", "https://")) and part not in found:
                found.append(part)
    return " ".join(found) or None


def understand(row: Row) -> _Shutdown:
    """One row as a shutdown (see the docs page for the mapping, field by field).

    Raises:
        InvalidValue: a cell the mapping cannot read (the message names it).
    """
    cells = row.cells
    code = country_code(_text(cells.get("country")))
    start = _day(cells.get("start_date"), "start_date")
    estimated = _text(cells.get("start_date_type")).lower() == "estimated"
    status = _text(cells.get("status")).lower()
    warnings: list[str] = []
    end: dt.date | None = None
    end_cell = cells.get("end_date")
    end_word = _text(end_cell).lower()
    if end_word in ("ongoing", "unknown", "unkown", "not known", "n/a"):
        status = "ongoing" if end_word == "ongoing" else "unknown"  # a status in the date
    elif end_word:
        end = _day(end_cell, "end_date")
        if end < start:
            msg = f"end_date {end} is before start_date {start}"
            raise InvalidValue(msg)
    if status == "ongoing":
        end = None
    elif status == "ended" and end is None:
        warnings.append("shutdown_status Ended, with no end_date: imported as still in force")
    elif status == "unknown":
        warnings.append(
            "shutdown_status Unknown: no end imported" if end is None else "shutdown_status Unknown"
        )
    elif not status and end is None:  # the older sheets have no status column
        warnings.append("no end_date and no status: the end is not known; none imported")
    kind, kind_warnings = _kind(row)
    networks, net_warnings = _networks(row)
    by = "; ".join(
        t
        for t in (_text(cells.get("ordered_by")), _text(cells.get("decision_maker")))
        if t and t.lower() != "unknown"
    )
    note_parts = [
        f"{label}: {value}"
        for label, value in (
            ("justification", _text(cells.get("justification"))),
            ("details", _text(cells.get("justification_details"))),
            ("cause", _text(cells.get("cause"))),
            ("cause details", _text(cells.get("cause_details"))),
            ("notes", _text(cells.get("notes"))),
        )
        if value
    ]
    warnings += kind_warnings + net_warnings
    note = "; ".join(note_parts + warnings) or None
    return _Shutdown(
        country=code,
        platforms=tuple(_platforms(row)),
        kind=kind,
        start=start.isoformat() + ("~" if estimated else ""),
        end=end,
        networks=networks,
        regions=_regions(code, _text(cells.get("area"))),
        operators=_operators(_text(cells.get("telcos"))),
        by=by or None,
        source=_links(cells.get("links"), cells.get("an_link")),
        note=note,
        warnings=tuple(warnings),
    )


def _events(s: _Shutdown, platform: str, scope: Scope | None = None) -> list[Event]:
    ident = s.ident(platform)
    if scope is None:
        scope = Scope(networks=s.networks, regions=s.regions, operators=s.operators)
    imposed: Event
    if s.kind == "block":
        imposed = BlockImposed(
            at=s.start, id=ident, scope=scope, source=s.source, note=s.note, by=s.by
        )
    else:
        imposed = ThrottleImposed(
            at=s.start, id=ident, scope=scope, source=s.source, note=s.note, by=s.by
        )
    if s.end is None:
        return [imposed]
    lifted_at = (s.end + dt.timedelta(days=1)).isoformat()  # end_date is its last day
    lift: Event
    if s.kind == "block":
        lift = BlockLifted(at=lifted_at, id=f"{ident}-lifted", block=ident, source=s.source)
    else:
        lift = ThrottleLifted(at=lifted_at, id=f"{ident}-lifted", throttle=ident, source=s.source)
    return [imposed, lift]


def _rest(
    timeline: Timeline, s: _Shutdown, platform: str, imposed: Event
) -> tuple[Timeline, Scope] | None:
    """The timeline with the part of a new restriction no block in force covers.

    Also that part; None when nothing is left, or the rules refuse even that.
    """
    zone = timeline.dispute.zone
    status = timeline.status_at(zone.to_datetime(zone.key(imposed.at)))
    rest: Scope = imposed.scope  # type: ignore[attr-defined]
    for block in status.blocks:
        if block.window is None:
            rest = rest - block.scope
    if rest.is_empty:
        return None
    try:
        return timeline.append(*_events(s, platform, rest)), rest
    except RegTimelineError:
        return None


def _statement(s: _Shutdown, platform: str, ident: str) -> Statement:
    """A row whose restriction overlaps one already in force, kept on the record."""
    what = "shutdown" if s.kind == "block" else "throttling"
    where = ", ".join(sorted(s.regions)) if s.regions else "nationwide"
    nets = "+".join(sorted(s.networks)) if s.networks else "all networks"
    until = f" to {s.end.isoformat()}" if s.end else ""
    text = (
        f"STOP reports a {what} of {platform} ({nets}) in {where} from "
        f"{s.start.rstrip('~')}{until}, while the place was already cut"
    )
    return Statement(
        at=s.start,
        id=f"{ident}-reported",
        by=s.by or "Access Now STOP",
        text=text,
        source=s.source,
        note=s.note,
    )


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "x"


def read(
    path: str | os.PathLike[str],
    *,
    timezones: Mapping[str, str] | None = None,
    previous: Archive | None = None,
) -> Imported:
    """Import a STOP workbook, or the CSV export of one of its sheets.

    One dispute per country and platform (``"internet"`` for full-network shutdowns),
    its id ``stop-<country>-<platform>``; a shutdown is a block, a throttle a throttle,
    each lifted the day after its ``end_date``. Rows are applied in the order of their
    start. A row whose restriction would overlap one already in force on the same place
    (the rules refuse that) is kept on the record as a statement and reported as merged;
    a row that cannot be read is reported as skipped, with the reason.

    Args:
        path: the ``.xlsx`` workbook, or a ``.csv`` of one sheet.
        timezones: zone names by ISO country code, where the default (`time_zone`) is not
            the one you want.
        previous: the archive of an earlier import (an older version of the sheet): the
            report then lists what changed (`Report.changes`).

    Raises:
        MissingExtra: a workbook, and python-calamine is not installed.
        SchemaError: the file is not a STOP workbook, or a CSV of no known layout.
        OSError: the file cannot be read.
        InvalidValue: `previous` is not an Archive.
    """
    if previous is not None and not isinstance(previous, Archive):
        msg = f"previous is the Archive of an earlier import, got {previous!r:.60}"
        raise InvalidValue(msg)
    builder = _Builder(dict(timezones or {}))
    understood: list[tuple[Row, _Shutdown]] = []
    for item in read_rows(path):
        if isinstance(item, RowReport):
            builder.reports[(item.sheet, item.row)] = item
            continue
        try:
            understood.append((item, understand(item)))
        except RegTimelineError as exc:
            builder.reports[(item.sheet, item.number)] = RowReport(
                sheet=item.sheet, row=item.number, outcome="skipped", reason=str(exc)
            )
    understood.sort(key=lambda pair: (pair[1].start.rstrip("~"), pair[0].sheet, pair[0].number))
    for row, shutdown in understood:
        builder.add(row, shutdown)
    result = builder.result()
    if previous is None:
        return result
    changes = tuple(_changes(previous, result.archive))
    return attrs.evolve(result, report=attrs.evolve(result.report, changes=changes))


def _changes(old: Archive, new: Archive) -> Iterator[Change]:
    ids = sorted({*(d.id for d in old.disputes), *(d.id for d in new.disputes)})
    for dispute_id in ids:
        before = {e.id: e for e in old[dispute_id].events} if dispute_id in old else {}
        after = {e.id: e for e in new[dispute_id].events} if dispute_id in new else {}
        for event_id in sorted(before.keys() | after.keys()):
            if event_id not in before:
                yield Change(dispute=dispute_id, event=event_id, change="added")
            elif event_id not in after:
                yield Change(dispute=dispute_id, event=event_id, change="removed")
            elif before[event_id] != after[event_id]:
                yield Change(dispute=dispute_id, event=event_id, change="changed")


class _Builder:
    """The disputes an import makes, row by row, and what became of each row."""

    def __init__(self, zones: dict[str, str]) -> None:
        self.zones = zones
        self.reports: dict[tuple[str, int], RowReport] = {}
        self.timelines: dict[str, Timeline] = {}
        self.seen: dict[str, Row] = {}  # a restriction's id -> the row that made it

    def timeline(self, dispute_id: str, s: _Shutdown, platform: str) -> Timeline:
        timeline = self.timelines.get(dispute_id)
        if timeline is None:
            dispute = Dispute(
                id=dispute_id,
                regulator=f"authorities of {s.country}",
                platform=platform,
                jurisdiction=s.country,
                timezone=self.zones.get(s.country) or time_zone(s.country),
            )
            timeline = Timeline(dispute)
        return timeline

    def add(self, row: Row, s: _Shutdown) -> None:
        went: list[str] = []
        merged_with: list[str] = []
        problems: list[str] = []
        overlapped: list[str] = []
        partly: list[str] = []
        for platform in s.platforms:
            dispute_id = f"stop-{s.country.lower()}-{_slug(platform)}"
            events = _events(s, platform)
            earlier = self.seen.get(events[0].id)
            if earlier is not None:
                merged_with.append(f"{earlier.sheet!r} row {earlier.number}")
                continue
            try:
                timeline = self.timeline(dispute_id, s, platform)
                try:
                    self.timelines[dispute_id] = timeline.append(*events)
                except InvalidTransition as exc:
                    if "overlaps" not in str(exc):
                        raise
                    refusal = f"{platform}: {exc}".split(" refused: ", 1)[-1]
                    grown = _rest(timeline, s, platform, events[0])
                    if grown is not None:
                        # part of it is already cut by another row's block: the rest
                        self.timelines[dispute_id], rest = grown
                        partly.append(f"{platform}: only where not already cut ({rest})")
                    else:
                        # all of it is already cut (or the rest cannot be added): keep the
                        # row on the record, as a statement, rather than lose it
                        said = _statement(s, platform, events[0].id)
                        self.timelines[dispute_id] = timeline.append(said)
                        overlapped.append(refusal)
            except RegTimelineError as exc:
                problems.append(f"{platform}: {exc}")
                continue
            self.seen[events[0].id] = row
            went.append(dispute_id)
        self.reports[(row.sheet, row.number)] = _outcome(
            row, s, went, merged_with, problems + partly, overlapped
        )

    def result(self) -> Imported:
        reports = self.reports
        ordered = tuple(reports[k] for k in sorted(reports))
        notes = []
        countries = {t.dispute.jurisdiction for t in self.timelines.values()} - set(self.zones)
        for code in sorted(countries):
            count = sum(1 for row in _zone_table("zone.tab") if row[0] == code)
            if count > 1:
                notes.append(
                    f"{code}: days are read in {time_zone(code)}, chosen from the {count} "
                    f"zones the IANA table lists for it; pass timezones={{{code!r}: ...}} "
                    "to choose"
                )
        return Imported(
            archive=Archive(self.timelines.values()),
            report=Report(rows=ordered, notes=tuple(notes)),
        )


def _outcome(
    row: Row,
    s: _Shutdown,
    went: list[str],
    merged_with: list[str],
    problems: list[str],
    overlapped: list[str],
) -> RowReport:
    notes = s.warnings + tuple(problems)
    if went and len(overlapped) == len(went):
        return RowReport(
            sheet=row.sheet,
            row=row.number,
            outcome="merged",
            reason="kept as a statement: " + "; ".join(overlapped),
            disputes=tuple(went),
            notes=notes,
        )
    if went:
        return RowReport(
            sheet=row.sheet,
            row=row.number,
            outcome="imported",
            disputes=tuple(went),
            notes=notes + tuple(overlapped),
        )
    if merged_with and not problems:
        return RowReport(
            sheet=row.sheet,
            row=row.number,
            outcome="merged",
            reason=f"the same shutdown as {', '.join(merged_with)}",
        )
    return RowReport(
        sheet=row.sheet,
        row=row.number,
        outcome="skipped",
        reason="; ".join(problems) or "nothing to import",
    )


# --- writing back --------------------------------------------------------------------------


@attrs.frozen
class Exported:
    """What `write` wrote: the number of rows, and every event it could not write, with why.

    Attributes:
        rows: rows written (not counting the header).
        left_out: ``"<dispute>: <event id>: <reason>"`` for each event no STOP column holds
            (deadlines, fines, statements, partial lifts, corrections), so nothing is left
            out silently.
    """

    rows: int
    left_out: tuple[str, ...] = ()


_LABELS: Final = {
    "justification": "justification",
    "details": "justification_details",
    "cause": "cause",
    "cause details": "cause_details",
    "notes": "notes",
}
_LABELLED: Final = re.compile(
    r"(?:^|; )(" + "|".join(sorted(map(re.escape, _LABELS), key=len, reverse=True)) + r"): "
)
_WARNINGS: Final = (  # the importer's own words, read back into the cells they came from
    ("network", re.compile(r"affected_network (?P<v>'.*'|\".*\"): all networks")),
    ("type", re.compile(r"shutdown_type (?P<v>'.*'|\".*\"): imported as a block")),
    (
        "status",
        re.compile(r"shutdown_status (?P<v>Ended), with no end_date: imported as still in force"),
    ),
    ("status", re.compile(r"shutdown_status (?P<v>Unknown)(?:: no end imported)?")),
    ("status", re.compile(r"no end_date and no status: the end is not known; none imported")),
)


def _note_cells(note: str | None) -> dict[str, str]:
    """The cells a note was made from: its labelled parts, and the warnings' cell values."""
    import ast  # noqa: PLC0415

    cells: dict[str, str] = {}
    rest = note or ""
    peeled = True
    while rest and peeled:  # warnings come last: peel them off the end
        peeled = False
        for field, pattern in _WARNINGS:
            found = re.search(r"(?:^|; )(?:" + pattern.pattern + r")$", rest)
            if found:
                value = found.groupdict().get("v", "Unknown")
                if value is not None:
                    cells.setdefault(field, ast.literal_eval(value) if value[0] in "'\"" else value)
                rest = rest[: found.start()]
                peeled = True
                break
    marks = list(_LABELLED.finditer(rest))
    if rest and (not marks or marks[0].start() != 0):
        cells["notes"] = rest[: marks[0].start() if marks else len(rest)]
    ends = [m.start() for m in marks[1:]] + [len(rest)] * bool(marks)
    for mark, end in zip(marks, ends, strict=True):
        cells[_LABELS[mark.group(1)]] = rest[mark.end() : end]
    return cells


def _local_day(at: object, zone: str) -> tuple[dt.date, bool] | None:
    """An event's day in its dispute's zone, and whether it is approximate; None if no day."""
    import pendulum  # noqa: PLC0415

    if isinstance(at, pendulum.DateTime):
        return at.in_timezone(zone).date(), False
    if isinstance(at, dt.date):
        return at, False
    text = str(at)
    if re.fullmatch(r"\d{4}-\d\d-\d\d~?", text):
        return dt.date.fromisoformat(text[:10]), text.endswith("~")
    return None


def _last_day(lifted_at: object, zone: str) -> dt.date | None:
    """The last day a restriction lifted at `lifted_at` was in force."""
    import pendulum  # noqa: PLC0415

    if isinstance(lifted_at, pendulum.DateTime):
        return (lifted_at.in_timezone(zone) - dt.timedelta(microseconds=1)).date()
    day = _local_day(lifted_at, zone)
    return None if day is None else day[0] - dt.timedelta(days=1)


def _area(region: str) -> str:
    import pycountry  # noqa: PLC0415

    found = pycountry.subdivisions.get(code=region)  # type: ignore[no-untyped-call]
    return str(found.name) if found is not None else region


def _stop_cells(
    timeline: Timeline, imposed: BlockImposed | ThrottleImposed, lifted: Event | None
) -> dict[str, object] | str:
    """The cells of one restriction by field, without its platform; or why it has no row."""
    zone = timeline.dispute.timezone
    start = _local_day(imposed.at, zone)
    if start is None:
        return f"its start {imposed.at} is not a day (STOP's dates are days)"
    end = None if lifted is None else _last_day(lifted.at, zone)
    if lifted is not None and end is None:
        return f"its lift {lifted.at} is not a day (STOP's dates are days)"
    import pycountry  # noqa: PLC0415

    code = timeline.dispute.jurisdiction.split("-")[0]
    country = pycountry.countries.get(alpha_2=code)
    boxes = imposed.scope.boxes
    box = boxes[0]
    if len(boxes) > 1 or box.services is not None or box.regions_except or box.operators_except:
        return f"its scope ({imposed.scope}) is not one STOP row's (networks, a place, operators)"
    words = {"fixed": "Broadband", "mobile": "Mobile"}
    cells: dict[str, object] = {
        "country": str(country.name) if country is not None else code,
        "start_date": start[0].isoformat(),
        "start_date_type": "Estimated" if start[1] else "Actual",
        "end_date": end.isoformat() if end else "",
        "status": "Ended" if end else "Ongoing",
        "kind": "block" if isinstance(imposed, BlockImposed) else "throttle",
        "network": ", ".join(words[n] for n in sorted(box.networks)),
        "area": ", ".join(sorted(map(_area, box.regions))) if box.regions else "Nationwide",
        "geo_scope": "Regional" if box.regions else "National",
        "telcos": ", ".join(sorted(box.operators or ())),
        "ordered_by": imposed.by or "",
        "links": imposed.source or "",
    }
    cells.update(_note_cells(imposed.note))
    return cells


_PLATFORM_COLUMNS: Final = {name: field for field, name in _SERVICES_2020.items()}


def _row_cells(layout: Layout, cells: Mapping[str, object], platforms: list[str]) -> dict[str, str]:
    """One row's cells by column name, in a layout."""
    out = {k: str(v) for k, v in cells.items() if k in layout.columns and isinstance(v, str)}
    services = [p for p in platforms if p != "internet"]
    throttle = cells["kind"] == "throttle"
    if layout.name == "2016-2018":
        said = str(cells["network"]).split(", ")
        words = ", ".join(f"{w} Internet" for w in said if w in ("Broadband", "Mobile"))
        out["type_group"] = (
            "Service-based"
            if services
            else "Throttling"
            if throttle
            else (words if len(said) == 1 else "Full network")
        )
        out.setdefault("type", "Throttling" if throttle else words)
        out["services"] = words
        out["service_details"] = ", ".join(services)
    else:
        out.setdefault("type", "Throttling" if throttle else "Shutdown")
        extent = ["Full network"] if "internet" in platforms else []
        out["extent"] = ", ".join(extent + (["Service-based"] if services else []))
        others = []
        sms_voice = []
        for name in services:
            if name in _PLATFORM_COLUMNS:
                out[_PLATFORM_COLUMNS[name]] = "Yes"
            elif name == "SMS":
                out["sms"] = "Yes"
                sms_voice.append("SMS")
            elif name == "Voice calls":
                out["voice"] = "Yes"
                sms_voice.append("phone calls")
            else:
                others.append(name)
        out["other_services"] = ", ".join(others)
        out["sms_voice"] = ", ".join(sms_voice)
    for field, value in cells.items():  # a note's part this layout has no column for
        if field in _LABELS.values() and field not in layout.columns and value:
            spare = next(
                f
                for f in ("notes", "cause_details", "justification_details", "links")
                if f in layout.columns
            )
            label = next(k for k, v in _LABELS.items() if v == field)
            out[spare] = "; ".join(filter(None, [out.get(spare, ""), f"{label}: {value}"]))
    return {layout.columns[f]: v for f, v in out.items() if f in layout.columns}


def write(
    timelines: Archive | Iterable[Timeline],
    path: str | os.PathLike[str],
    *,
    layout: str = "2020-2022",
) -> Exported:
    """Write restrictions as rows of a STOP sheet (CSV), in one of its layouts.

    The inverse of the mapping `read` applies, as far as a layout's columns go: each block
    or throttle is a row, its lift the day after its ``end_date``; one row for the
    platforms of a dispute's country that share everything else (the ``internet`` as a
    full-network shutdown, services in their columns); the note back in the columns it was
    made from. Reading the file back gives the same disputes. Events no STOP column holds
    are listed in `Exported.left_out`, never dropped silently. The file is replaced
    whole, or not at all.

    Raises:
        InvalidValue: an unknown layout name.
        OSError: the file cannot be written.

    Examples:
        >>> import pathlib, tempfile
        >>> from regtimeline import Dispute, Timeline, BlockImposed, BlockLifted
        >>> t = Timeline(Dispute(id="ug", regulator="UCC", platform="internet",
        ...                      jurisdiction="UG", timezone="Africa/Kampala"))
        >>> t = t.append(BlockImposed(at="2021-01-13", id="b"),
        ...              BlockLifted(at="2021-01-19", id="l", block="b"))
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "out.csv"
        >>> write([t], path)
        Exported(rows=1, left_out=())
        >>> [e.at.isoformat() for e in read(path).archive["stop-ug-internet"].events]
        ['2021-01-13', '2021-01-19']
    """
    chosen = next((x for x in LAYOUTS if x.name == layout), None)
    if chosen is None:
        names = ", ".join(repr(x.name) for x in LAYOUTS)
        msg = f"no STOP layout is named {layout!r}: one of {names}"
        raise InvalidValue(msg)
    left_out: list[str] = []
    grouped: dict[tuple[str, ...], tuple[dict[str, object], list[str]]] = {}
    for timeline in sorted(timelines, key=lambda t: t.dispute.id):
        lifts = {
            getattr(e, "block", None) or getattr(e, "throttle", None): e
            for e in timeline.events
            if isinstance(e, (BlockLifted, ThrottleLifted))
        }
        for event in timeline.events:
            if isinstance(event, (BlockLifted, ThrottleLifted)):
                continue
            if not isinstance(event, (BlockImposed, ThrottleImposed)) or event.window is not None:
                what = (
                    "a recurring restriction"
                    if isinstance(event, (BlockImposed, ThrottleImposed))
                    else type(event).__name__
                )
                left_out.append(f"{timeline.dispute.id}: {event.id}: STOP has no row for {what}")
                continue
            cells = _stop_cells(timeline, event, lifts.get(event.id))
            if isinstance(cells, str):
                left_out.append(f"{timeline.dispute.id}: {event.id}: {cells}")
                continue
            key = tuple(f"{k}={v!r}" for k, v in sorted(cells.items()))
            grouped.setdefault(key, (cells, []))[1].append(timeline.dispute.platform)
    rows: list[dict[str, str]] = []
    for cells, platforms in grouped.values():
        if chosen.name == "2016-2018" and "internet" in platforms and len(platforms) > 1:
            rows.append(_row_cells(chosen, cells, ["internet"]))
            platforms = [p for p in platforms if p != "internet"]
        rows.append(_row_cells(chosen, cells, platforms))
    header = list(dict.fromkeys(chosen.columns.values()))
    target = Path(path)
    temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        with temporary.open("w", newline="", encoding="utf-8") as handle:
            out = csv.DictWriter(handle, fieldnames=header)
            out.writeheader()
            out.writerows(rows)
        temporary.replace(target)
    finally:
        temporary.unlink(missing_ok=True)
    return Exported(rows=len(rows), left_out=tuple(left_out))
