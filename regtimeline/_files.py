"""JSON Lines files: a header line (format, schema, dispute), then one event per line."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any, Final

import orjson
import pendulum

from ._dispute import Dispute
from ._events import Event
from ._time import EPOCH, ONE_US, to_moment
from ._timeline import Timeline
from .errors import RegTimelineError, SchemaError, TimeError
from .serialization import SCHEMA_VERSION, decode, decode_dispute, encode, encode_dispute, upcast

__all__ = ["MAX_LINE_BYTES", "dump", "load"]

#: Lines longer than this are refused: no event needs a megabyte.
MAX_LINE_BYTES: Final = 1 << 20
FORMAT: Final = "regtimeline"


def _recorded_at(value: Any) -> pendulum.DateTime | None:
    if value is None:
        return None
    try:
        moment = to_moment(value) if isinstance(value, str) else None
    except TimeError as exc:
        raise SchemaError(f"{exc} @ $.recorded_at") from None
    if not isinstance(moment, pendulum.DateTime):
        msg = f"recorded_at must be an instant with an offset, got {value!r:.60} @ $.recorded_at"
        raise SchemaError(msg)
    return moment


def _line_error(path: Path, number: int, message: str) -> SchemaError:
    return SchemaError(f"{path}: line {number}: {message}")


def _parse(path: Path, number: int, line: bytes, *, last: bool) -> Any:
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

    Examples:
        >>> import tempfile, pathlib
        >>> from regtimeline.examples import twitter_russia
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "twitter.jsonl"
        >>> dump(twitter_russia(), path)
        >>> load(path) == twitter_russia()
        True
    """
    path = Path(path)
    data = path.read_bytes()
    lines = data.split(b"\n")
    ends_cleanly = data.endswith(b"\n")
    if ends_cleanly:
        lines.pop()
    if not lines or not lines[0].strip():
        raise _line_error(path, 1, "empty file: expected a header line")
    last = len(lines)
    schema, dispute = _header(path, _parse(path, 1, lines[0], last=last == 1 and not ends_cleanly))
    entries: list[tuple[Event, pendulum.DateTime | None]] = []
    line_of: dict[int, int] = {}
    for number, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        obj = _parse(path, number, line, last=number == last and not ends_cleanly)
        if not isinstance(obj, dict):
            raise _line_error(path, number, f"an event must be a JSON object, got {obj!r:.40}")
        try:
            obj = obj if schema == SCHEMA_VERSION else upcast(obj, schema)
            recorded = _recorded_at(obj.pop("recorded_at", None))
            event = decode(obj)
        except SchemaError as exc:
            raise _line_error(path, number, str(exc)) from None
        line_of[id(event)] = number
        entries.append((event, recorded))
    try:
        return Timeline.from_entries(dispute, entries)
    except RegTimelineError as exc:
        number = line_of.get(id(exc.event), 0)
        where = f"{path}: line {number}" if number else str(path)
        error = type(exc)(f"{where}: {exc}")
        error.event = exc.event
        raise error from None


def dump(timeline: Timeline, path: str | os.PathLike[str]) -> None:
    """Write a timeline to a JSON Lines file, atomically.

    The file is written next to its destination under a temporary name, flushed to disk,
    then renamed over the destination: a crash leaves either the old file or the new one,
    never half of one. Keys are sorted and events are in time order, so files diff well.

    Raises:
        OSError: the file cannot be written (the destination is then untouched).
    """
    path = Path(path)
    header = {
        "format": FORMAT,
        "schema": SCHEMA_VERSION,
        "dispute": encode_dispute(timeline.dispute),
    }
    lines = [orjson.dumps(header, option=orjson.OPT_SORT_KEYS), b"\n"]
    texts: dict[int, str] = {}  # recorded times repeat (one per append): format each once
    for event, key in timeline._record_items():
        data = encode(event)
        if key is None:
            data["recorded_at"] = None
        else:
            text = texts.get(key)
            if text is None:
                text = texts[key] = (EPOCH + ONE_US * key).isoformat()
            data["recorded_at"] = text
        lines += [orjson.dumps(data, option=orjson.OPT_SORT_KEYS), b"\n"]
    body = b"".join(lines)
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(body)
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
