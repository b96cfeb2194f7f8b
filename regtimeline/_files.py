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

__all__ = ["MAX_LINE_BYTES", "dump", "dump_all", "load", "load_all"]

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
        while after is not None:
            timeline, after = _section(path, after[0], after[1], numbered)
            timelines.append(timeline)
    return timelines


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
