"""JSON Lines files: a header line (format, schema, dispute), then one event per line."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any, BinaryIO, Final

import orjson

from ._dispute import Dispute
from ._events import Event
from ._gc import paused_gc
from ._time import EPOCH, ONE_US, key_of_text
from ._timeline import Timeline
from .errors import InvalidValue, RegTimelineError, SchemaError, TimeError
from .serialization import SCHEMA_VERSION, decode, decode_dispute, encode, encode_dispute, upcast

__all__ = ["MAX_LINE_BYTES", "dump", "load"]

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
    msg = f"recorded_at must be an instant with an offset, got {value!r:.60} @ $.recorded_at"
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
    msg = f"a path is a str or an os.PathLike such as pathlib.Path, got {value!r:.80}"
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


def _header(path: Path, data: Any) -> tuple[int, Dispute]:
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        msg = f'the first line must be a header {{"format": "{FORMAT}", "schema": ..., ...}}'
        raise _line_error(path, 1, msg)
    extra = set(data) - {"format", "schema", "dispute"}
    if extra:
        raise _line_error(path, 1, f"unknown header field(s) {sorted(extra)}")
    schema: Any = data.get("schema")
    try:
        upcast({}, schema)  # checks the version
    except SchemaError as exc:
        raise _line_error(path, 1, f"{exc} @ $.schema") from None
    if "dispute" not in data:
        raise _line_error(path, 1, "required field 'dispute' is missing @ $.dispute")
    try:
        return schema, decode_dispute(data["dispute"])
    except SchemaError as exc:
        raise _line_error(path, 1, f"{exc} (in $.dispute)") from None


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
        schema, dispute = _header(path, _parse(path, 1, first))
        with paused_gc():  # a bulk load (see _gc)
            events, recorded = _entries(path, lines, schema)
            try:
                return Timeline(dispute)._with_recorded(events, recorded)
            except RegTimelineError as exc:
                number = _line_number(path, events, exc.event)
                where = f"{path}: line {number}" if number else str(path)
                error = type(exc)(f"{where}: {exc}")
                error.event = exc.event
                raise error from None


def _entries(
    path: Path, lines: Iterable[bytes], schema: int
) -> tuple[list[Event], list[int | None]]:
    """The events of a file's lines after the header, and each one's recorded-time key."""
    events: list[Event] = []
    recorded: list[int | None] = []
    last: tuple[Any, int | None] = (None, None)  # the lines of one append repeat its time
    current = schema == SCHEMA_VERSION
    for number, line in enumerate(lines, start=2):
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
                msg = f"an event must be a JSON object, got {obj!r:.40}"
                raise _line_error(path, number, msg)
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
    return events, recorded


def _line_number(path: Path, events: Iterable[Event], event: Any) -> int:
    """The line that holds `event` (0: none), found again only when a load fails."""
    index = next((i for i, e in enumerate(events) if e is event), None)
    if index is None:
        return 0
    with path.open("rb") as lines:
        events_seen = -2  # the header is not an event
        for number, line in enumerate(lines, start=1):
            events_seen += bool(line.strip())
            if events_seen == index:
                return number
    return 0


def _write(handle: BinaryIO, timeline: Timeline, header: dict[str, Any]) -> None:
    """Write the header and every entry, a line each, as they are encoded.

    Each line goes to the (buffered) file at once: keeping a million lines in memory to
    join them cost more than encoding them (new memory for every line).
    """
    option = orjson.OPT_SORT_KEYS | orjson.OPT_APPEND_NEWLINE
    write = handle.write
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
    path = _path(path)
    header = {
        "format": FORMAT,
        "schema": SCHEMA_VERSION,
        "dispute": encode_dispute(timeline.dispute),
    }
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb", buffering=1 << 20) as handle:
            with paused_gc():  # millions of short-lived dicts (see _gc)
                _write(handle, timeline, header)
            handle.flush()
            os.fsync(handle.fileno())
        Path(temporary).replace(path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)
