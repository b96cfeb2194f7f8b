"""JSON Lines files: a header line (format, schema, dispute), then one event per line."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterable, Iterator
from glob import escape as glob_escape
from pathlib import Path
from typing import Any, BinaryIO, Final

import orjson

from ._dispute import Dispute
from ._events import Event
from ._gc import paused_gc
from ._time import EPOCH, ONE_US, key_of_text
from ._timeline import Timeline
from .errors import InvalidValue, RegTimelineError, SchemaError, TimeError, shown
from .serialization import SCHEMA_VERSION, decode, decode_dispute, encode, encode_dispute, upcast

__all__ = ["MAX_LINE_BYTES", "check", "dump", "dump_all", "load", "load_all"]

#: Lines longer than this are refused: no event needs a megabyte.
MAX_LINE_BYTES: Final = 1 << 20
FORMAT: Final = "regtimeline"


def _recorded_key(value: Any) -> int:
    """The key of a line's ``recorded_at``: an instant with an offset."""
    if type(value) is str:
        try:
            key = key_of_text(value)
        except TimeError as exc:
            raise SchemaError(f"{exc} @ $.recorded_at") from None
        if key is not None:
            return key
    msg = f"recorded_at must be an instant with an offset, got {shown(value, 60)} @ $.recorded_at"
    raise SchemaError(msg)


def _path(value: object) -> Path:
    if isinstance(value, str | os.PathLike):
        try:
            path = Path(value)
        except TypeError:  # an os.PathLike that gives bytes
            pass
        else:
            if "\x00" in str(path):
                msg = f"a path cannot hold a NUL character, got {str(path)!r:.80}"
                raise InvalidValue(msg)
            return path
    msg = f"a path is a str or an os.PathLike such as pathlib.Path, got {shown(value, 80)}"
    raise InvalidValue(msg)


def _line_error(path: Path, number: int, message: str) -> SchemaError:
    return SchemaError(f"{path}: line {number}: {message}")


def _parse(path: Path, number: int, line: bytes) -> Any:
    """A line's JSON value, or the error that says why it has none."""
    last = not line.endswith(b"\n")  # only the last line can lack one
    line = line.removesuffix(b"\n")
    if len(line) > MAX_LINE_BYTES:
        msg = f"{len(line):,} bytes long; lines over {MAX_LINE_BYTES:,} bytes are refused"
        raise _line_error(path, number, msg)
    try:
        return orjson.loads(line)
    except orjson.JSONDecodeError as exc:
        if last:
            msg = (
                "truncated: the last line is incomplete and the file does not end with a "
                f"newline (a write was interrupted?): {exc}"
            )
            raise _line_error(path, number, msg) from None
        raise _line_error(path, number, f"not valid JSON: {exc}") from None


def _header(path: Path, number: int, data: Any) -> tuple[int, Dispute]:
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        msg = f'the first line must be a header {{"format": "{FORMAT}", "schema": ..., ...}}'
        if number > 1:
            msg = f'a header must say {{"format": "{FORMAT}", ...}}'
        raise _line_error(path, number, msg)
    extra = set(data) - {"format", "schema", "dispute"}
    if extra:
        raise _line_error(path, number, f"unknown header field(s) {sorted(extra)}")
    schema: Any = data.get("schema")
    try:
        upcast({}, schema)  # checks the version
    except SchemaError as exc:
        raise _line_error(path, number, f"{exc} @ $.schema") from None
    if "dispute" not in data:
        raise _line_error(path, number, "required field 'dispute' is missing @ $.dispute")
    try:
        return schema, decode_dispute(data["dispute"])
    except SchemaError as exc:
        raise _line_error(path, number, f"{exc} (in $.dispute)") from None


def load(path: str | os.PathLike[str]) -> Timeline:
    """Read a timeline from a JSON Lines file written by `dump` (or by hand).

    Older schema versions are upcast on read. Nothing is partly loaded: either the whole
    file makes a valid timeline, or an error says which line is wrong and why.

    Raises:
        SchemaError: the file is not a regtimeline file, or a line is malformed; the message
            names the file, the line number and the field path.
        InvalidTransition, UnknownReference, DuplicateEvent, TimeError: the events are well
            formed but do not make a valid history; the message names the file and line.
        OSError: the file cannot be read.
        InvalidValue: `path` is not a path.

    Examples:
        >>> import tempfile, pathlib
        >>> from regtimeline.examples import twitter_russia
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "twitter.jsonl"
        >>> dump(twitter_russia(), path)
        >>> load(path) == twitter_russia()
        True
    """
    path = _path(path)
    with path.open("rb") as lines:  # read a line at a time: a big file is never held twice
        first = lines.readline()
        if not first.strip():
            raise _line_error(path, 1, "empty file: expected a header line")
        numbered = enumerate(lines, start=2)
        timeline, after = _section(path, 1, _parse(path, 1, first), numbered)
        if after is not None:
            msg = (
                "a second header: this file holds several disputes; read it with "
                "regtimeline.Archive.load"
            )
            raise _line_error(path, after[0], msg)
        return timeline


def load_all(path: str | os.PathLike[str]) -> list[Timeline]:
    """The timelines of a file holding one dispute or several, in the order written.

    Several disputes are written one after another, each from its own header line (the
    files of each, concatenated). An empty file holds none.

    Raises:
        SchemaError, InvalidTransition, UnknownReference, DuplicateEvent, TimeError: as for
            `load`, naming the file and line.
        OSError: the file cannot be read.
        InvalidValue: `path` is not a path.
    """
    path = _path(path)
    timelines: list[Timeline] = []
    with path.open("rb") as lines:
        first = lines.readline()
        if not first:
            return timelines
        if not first.strip():
            raise _line_error(path, 1, "a blank line: expected a header line")
        numbered = enumerate(lines, start=2)
        after: tuple[int, Any] | None = (1, _parse(path, 1, first))
        seen: set[str] = set()
        while after is not None:
            header = after[0]
            timeline, after = _section(path, header, after[1], numbered)
            if timeline.dispute.id in seen:
                raise _line_error(path, header, _twice(timeline.dispute.id))
            seen.add(timeline.dispute.id)
            timelines.append(timeline)
    return timelines


def _twice(dispute_id: str) -> str:
    return f"dispute {dispute_id!r} appears twice in this file (an earlier header names it)"


def _section(
    path: Path, number: int, header: Any, numbered: Iterator[tuple[int, bytes]]
) -> tuple[Timeline, tuple[int, Any] | None]:
    """One dispute's part of a file: its header (at line `number`) and the lines after it.

    Returns its timeline, and the next header with its line number (None: the file ended).
    """
    schema, dispute = _header(path, number, header)
    with paused_gc():  # a bulk load (see _gc)
        events, recorded, after = _entries(path, numbered, schema)
        try:
            return Timeline(dispute)._with_recorded(events, recorded), after
        except RegTimelineError as exc:
            found = _line_number(path, events, exc.event, number)
            where = f"{path}: line {found}" if found else str(path)
            error = type(exc)(f"{where}: {exc}")
            error.event = exc.event
            raise error from None


def _entries(
    path: Path, numbered: Iterator[tuple[int, bytes]], schema: int
) -> tuple[list[Event], list[int | None], tuple[int, Any] | None]:
    """The events of the lines after a header, up to the next header or the end.

    Returns the events, each one's recorded-time key, and the next header with its line
    number (None: the file ended).
    """
    events: list[Event] = []
    recorded: list[int | None] = []
    last: tuple[Any, int | None] = (None, None)  # the lines of one append repeat its time
    current = schema == SCHEMA_VERSION
    for number, line in numbered:
        # the common case inline (this loop runs once an event); _parse explains a refusal
        try:
            obj = orjson.loads(line)
        except orjson.JSONDecodeError:
            if not line.strip():
                continue
            obj = None
        if type(obj) is not dict or len(line) > MAX_LINE_BYTES:
            obj = _parse(path, number, line)
            if not isinstance(obj, dict):
                msg = f"an event must be a JSON object, got {shown(obj, 40)}"
                raise _line_error(path, number, msg)
        if "format" in obj:  # the header of the next dispute
            return events, recorded, (number, obj)
        try:
            if not current:
                obj = upcast(obj, schema)
            at = obj.pop("recorded_at", None)
            if at != last[0]:
                last = (at, None if at is None else _recorded_key(at))
            recorded.append(last[1])
            events.append(decode(obj))
        except SchemaError as exc:
            raise _line_error(path, number, str(exc)) from None
    return events, recorded, None


def _line_number(path: Path, events: Iterable[Event], event: Any, header: int = 1) -> int:
    """The line that holds `event` (0: none), found again only when a load fails.

    `event` is among the events of the part of the file whose header is at line `header`.
    """
    index = next((i for i, e in enumerate(events) if e is event), None)
    if index is None:
        return 0
    with path.open("rb") as lines:
        events_seen = -2  # the header is not an event
        for number, line in enumerate(lines, start=1):
            if number < header:
                continue
            events_seen += bool(line.strip())
            if events_seen == index:
                return number
    return 0


def _write(handle: BinaryIO, timeline: Timeline) -> None:
    """Write the header and every entry, a line each, as they are encoded.

    Each line goes to the (buffered) file at once: keeping a million lines in memory to
    join them cost more than encoding them (new memory for every line).
    """
    option = orjson.OPT_SORT_KEYS | orjson.OPT_APPEND_NEWLINE
    write = handle.write
    header = {
        "format": FORMAT,
        "schema": SCHEMA_VERSION,
        "dispute": encode_dispute(timeline.dispute),
    }
    write(orjson.dumps(header, option=option))
    last: tuple[int | None, str | None] = (None, None)  # the lines of one append share a time
    for event, key in timeline._record_items():
        data = encode(event)
        if key != last[0]:
            last = (key, None if key is None else (EPOCH + ONE_US * key).isoformat())
        data["recorded_at"] = last[1]
        write(orjson.dumps(data, option=option))


def dump(timeline: Timeline, path: str | os.PathLike[str]) -> None:
    """Write a timeline to a JSON Lines file, atomically.

    The file is written next to its destination under a temporary name, flushed to disk,
    then renamed over the destination: a crash leaves either the old file or the new one,
    never half of one. Keys are sorted and events are in time order, so files diff well.

    Raises:
        OSError: the file cannot be written (the destination is then untouched).
        InvalidValue: `timeline` is not a Timeline, or `path` is not a path.
    """
    if not isinstance(timeline, Timeline):
        msg = f"dump takes a Timeline, got {timeline!r:.80}"
        raise InvalidValue(msg)
    _atomic(_path(path), lambda handle: _write(handle, timeline))


def dump_all(timelines: Iterable[Timeline], path: str | os.PathLike[str]) -> None:
    """Write several timelines to one JSON Lines file, atomically, one after another.

    Each starts with its own header line; `load_all` reads them back in the same order.

    Raises:
        OSError: the file cannot be written (the destination is then untouched).
        InvalidValue: an item is not a Timeline, or `path` is not a path.
    """
    items = list(timelines)
    for timeline in items:
        if not isinstance(timeline, Timeline):
            msg = f"dump_all takes Timelines, got {timeline!r:.80}"
            raise InvalidValue(msg)

    def write(handle: BinaryIO) -> None:
        for timeline in items:
            _write(handle, timeline)

    _atomic(_path(path), write)


def _atomic(path: Path, write: Callable[[BinaryIO], None]) -> None:
    """Write a file by `write` under a temporary name, flush it, rename it into place.

    The temporary file is locked while it is written and renamed; temporary files of this
    destination left by a writer that died (no longer locked) are removed first.
    """
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb", buffering=1 << 20) as handle:
            _lock(handle.fileno(), wait=True)
            _remove_leftovers(path, Path(temporary))
            with paused_gc():  # millions of short-lived dicts (see _gc)
                write(handle)
            handle.flush()
            os.fsync(handle.fileno())
            Path(temporary).replace(path)  # still locked: no one takes it for a leftover
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


def _lock(fd: int, *, wait: bool) -> bool:
    """Take an exclusive lock on an open file (False: another holds it, or no locks here)."""
    try:
        import fcntl  # noqa: PLC0415 - POSIX only; elsewhere leftovers stay
    except ImportError:  # pragma: no cover - not POSIX
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
    except BlockingIOError:
        return False
    return True


def _remove_leftovers(path: Path, mine: Path) -> None:
    """Remove temporary files of `path` whose writer died: unlocked ``.<name>.*.tmp``."""
    for leftover in path.parent.glob(f".{glob_escape(path.name)}.*.tmp"):
        if leftover == mine or not leftover.is_file():
            continue
        try:
            fd = os.open(leftover, os.O_RDONLY)
        except OSError:
            continue  # gone meanwhile, or not ours to read
        try:
            if _lock(fd, wait=False):
                leftover.unlink(missing_ok=True)
        finally:
            os.close(fd)


#: `check` reports at most this many problems in one dispute's events (the rest are
#: likely consequences of the first ones).
MAX_PROBLEMS: Final = 100


def check(path: str | os.PathLike[str]) -> list[RegTimelineError]:
    r"""Every problem of a JSON Lines file (or of each ``*.jsonl`` of a directory).

    Where `load` stops at the first problem, this goes on: every malformed line, bad header
    and event the rules refuse is reported, each naming its file and line (an event the
    rules refuse is set aside and the rest are checked without it; a dispute with more
    than 100 such events is reported as such after the 100th). An empty list: the file
    loads (`regtimeline.Archive.load`).

    Raises:
        OSError: the path cannot be read.
        InvalidValue: `path` is not a path.

    Examples:
        >>> import pathlib, tempfile
        >>> from regtimeline import dump
        >>> from regtimeline.examples import twitter_russia
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "case.jsonl"
        >>> dump(twitter_russia(), path)
        >>> check(path)
        []
        >>> lines = path.read_text().splitlines(keepends=True)
        >>> _ = path.write_text("".join([lines[0], "{oops\n", *lines[1:3], lines[2]]))
        >>> for problem in check(path):
        ...     print(str(problem).split(": ", 1)[1][:40])
        line 2: not valid JSON: unexpected chara
        line 5: throttle_imposed 'slowdown' at 2
    """
    root = _path(path)
    if root.is_dir():
        return [p for file in sorted(root.glob("*.jsonl")) for p in check(file)]
    checker = _Checker(root)
    with root.open("rb") as lines:
        for number, line in enumerate(lines, start=1):
            try:
                checker.line(number, line)
            except RegTimelineError as exc:
                checker.problems.append(exc)
    return checker.finish()


class _Checker:
    """A file as `check` reads it: line by line, every problem kept."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.problems: list[RegTimelineError] = []
        self.seen: set[str] = set()
        self.section: _Checking | None = None

    def line(self, number: int, line: bytes) -> None:
        if not line.strip():
            if number == 1:
                raise _line_error(self.path, 1, "a blank line: expected a header line")
            return
        obj = _parse(self.path, number, line)
        if not isinstance(obj, dict):
            msg = f"an event must be a JSON object, got {shown(obj, 40)}"
            raise _line_error(self.path, number, msg)
        if number > 1 and "format" not in obj:
            if self.section is not None:
                self.section.add(number, obj)
            return
        if self.section is not None:
            self.problems += self.section.fold()
        self.section = _Checking(self.path, number)
        self.section.start(obj)
        dispute = self.section.dispute
        if dispute is not None and dispute.id in self.seen:  # said after its events, as load_all
            self.section.twice = _line_error(self.path, number, _twice(dispute.id))
        if dispute is not None:
            self.seen.add(dispute.id)

    def finish(self) -> list[RegTimelineError]:
        if self.section is not None:
            self.problems += self.section.fold()
            self.section = None
        return self.problems


class _Checking:
    """One dispute's part of a file, as `check` reads it."""

    def __init__(self, path: Path, header: int) -> None:
        self.path, self.header = path, header
        self.schema: Any = SCHEMA_VERSION  # events after a bad header: read as current
        self.dispute: Dispute | None = None
        self.events: list[Event] = []
        self.recorded: list[int | None] = []
        self.lines: list[int] = []
        self.twice: RegTimelineError | None = None  # an earlier part holds this dispute

    def start(self, obj: Any) -> None:
        self.schema, self.dispute = _header(self.path, self.header, obj)

    def add(self, number: int, obj: dict[str, Any]) -> None:
        try:
            if self.schema != SCHEMA_VERSION:
                obj = upcast(obj, self.schema)
            at = obj.pop("recorded_at", None)
            recorded = None if at is None else _recorded_key(at)
            event = decode(obj)
        except SchemaError as exc:
            raise _line_error(self.path, number, str(exc)) from None
        self.events.append(event)
        self.recorded.append(recorded)
        self.lines.append(number)

    def fold(self) -> list[RegTimelineError]:
        """The rules' refusals, each event refused set aside before the rest are tried."""
        if self.dispute is None:
            return []
        problems = self._refusals(self.dispute)
        return problems if self.twice is None else [*problems, self.twice]

    def _refusals(self, dispute: Dispute) -> list[RegTimelineError]:
        problems: list[RegTimelineError] = []
        events, recorded, lines = list(self.events), list(self.recorded), list(self.lines)
        while True:
            try:
                Timeline(dispute)._with_recorded(events, recorded)
            except RegTimelineError as exc:
                index = next((i for i, e in enumerate(events) if e is exc.event), None)
                where = f"{self.path}: line {lines[index]}" if index is not None else str(self.path)
                error = type(exc)(f"{where}: {exc}")
                error.event = exc.event
                problems.append(error)
                if index is None:
                    return problems
                if len(problems) == MAX_PROBLEMS:
                    msg = f"more than {MAX_PROBLEMS} events refused: the rest are not checked"
                    problems.append(_line_error(self.path, lines[index], msg))
                    return problems
                del events[index], recorded[index], lines[index]
            else:
                return problems
