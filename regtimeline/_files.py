"""JSON Lines files: a header line (format, schema, dispute), then one event per line."""

from __future__ import annotations

import errno
import hashlib
import json
import os
import stat
import tempfile
from collections.abc import Callable, Iterable, Iterator
from glob import escape as glob_escape
from pathlib import Path
from typing import Any, BinaryIO, Final, Literal, overload

import orjson

from ._dispute import Dispute
from ._events import Event
from ._gc import paused_gc
from ._jsonschema import check_patterns
from ._time import EPOCH, ONE_US, key_of_text
from ._timeline import Timeline
from .errors import InvalidValue, RegTimelineError, SchemaError, TimeError, shown
from .serialization import SCHEMA_VERSION, decode, decode_dispute, encode, encode_dispute, upcast

__all__ = ["MAX_LINE_BYTES", "check", "dump", "dump_all", "load", "load_all"]

#: Lines longer than this are refused, before they are read whole (16 MiB: an event at the
#: limits of its ids and texts, `MAX_ID_CHARS` and `MAX_TEXT_CHARS`, is far below).
MAX_LINE_BYTES: Final = 16 << 20
FORMAT: Final = "regtimeline"
#: Each part of a file of this schema or later ends with a seal line (see `_Seal`).
SEALED_SINCE: Final = 5
_EDITED: Final = (
    "if it was edited by hand, read it with verify=False (regtimeline convert --no-verify), "
    "and dump() seals it again"
)


class _NoDigest:
    """What an unchecked part hashes: nothing."""

    def update(self, data: bytes) -> None:
        """Nothing."""

    def hexdigest(self) -> str:
        """None of any bytes."""
        return ""


_NO_DIGEST: Final = _NoDigest()


class _Seal:
    """A part of a file as it is read, checked against the seal line that closes it.

    A part (a header and the entries after it) of schema 5 or later ends with
    ``{"seal": {"entries": N, "part": k, "parts": K, "sha256": "..."}}``: the number of
    entry lines, the part's place in the file, and the SHA-256 of the exact bytes of the
    header line and of every line after it up to the seal. A file cut at any byte, or with a
    line missing, repeated, changed or out of order, then no longer matches its seals.
    """

    __slots__ = ("digest", "header", "part", "parts", "path", "required", "sealed_at", "verify")

    def __init__(
        self, path: Path, header: int, line: bytes, schema: object, part: int, verify: bool
    ) -> None:
        self.path, self.header, self.part, self.verify = path, header, part, verify
        self.required = verify and isinstance(schema, int) and schema >= SEALED_SINCE
        self.digest: Any = hashlib.sha256(line) if verify else _NO_DIGEST  # verify=False: free
        self.parts: int | None = None
        self.sealed_at: int | None = None

    def close(self, number: int, obj: dict[str, Any], line: bytes, entries: int) -> None:
        """The seal line at line `number`, after `entries` entries: it must match."""
        if self.sealed_at is not None:
            msg = f"a second seal for the part sealed at line {self.sealed_at}"
            raise _line_error(self.path, number, msg)
        self.sealed_at = number
        if not self.verify:
            return
        if not line.endswith(b"\n"):
            msg = "truncated: the seal line lacks its newline (the file was cut short)"
            raise _line_error(self.path, number, msg)
        seal = obj.get("seal")
        fields = {"entries", "part", "parts", "sha256"}
        if len(obj) != 1 or not isinstance(seal, dict) or set(seal) != fields:
            msg = f'a seal is {{"seal": {{{", ".join(map(repr, sorted(fields)))}}}}} alone'
            raise _line_error(self.path, number, msg)
        part, parts = seal["part"], seal["parts"]
        if not (type(part) is int and type(parts) is int and 1 <= part <= parts):
            msg = f"a seal's part and parts are whole numbers, 1 <= part <= parts: {seal!r:.80}"
            raise _line_error(self.path, number, msg)
        if part != self.part:
            msg = (
                f"the seal says this is part {part} of {parts}, but it is part {self.part} of "
                "this file: parts are missing, repeated or out of order"
            )
            raise _line_error(self.path, number, msg)
        if seal["entries"] != entries or seal["sha256"] != self.digest.hexdigest():
            msg = (
                f"the part from line {self.header} does not match its seal (written with "
                f"{shown(seal['entries'])} entries, read with {entries}, and other bytes): lines "
                f"are missing, repeated, changed or out of order; {_EDITED}"
            )
            raise _line_error(self.path, number, msg)
        self.parts = parts

    def after(self, number: int) -> None:
        """A line that is not a header comes after the seal."""
        msg = f"a line after the seal (line {self.sealed_at}) that closes its part"
        raise _line_error(self.path, number, msg)

    def ended(self) -> None:
        """The part ended (at the next header or the file's end): was it sealed?"""
        if self.required and self.sealed_at is None:
            msg = (
                "the part this header begins has no seal: the file was cut short (a write "
                f"interrupted, a copy truncated), or {_EDITED.replace('if it was', 'it was')}"
            )
            raise _line_error(self.path, self.header, msg)

    def last(self) -> None:
        """This was the file's last part: its seal must say so."""
        if self.verify and self.parts is not None and self.part < self.parts:
            msg = (
                f"{self.path}: the file ends after part {self.part} of {self.parts}: it was "
                "cut short, or parts were removed"
            )
            raise SchemaError(msg)


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
            text = os.fspath(value)
        except TypeError:  # an os.PathLike whose __fspath__ fails
            pass
        else:
            if isinstance(text, str):  # (not a path given as bytes)
                if "\x00" in text:
                    msg = f"a path cannot hold a NUL character, got {text!r:.80}"
                    raise InvalidValue(msg)
                if not text:
                    msg = "a path cannot be empty (the current directory is '.')"
                    raise InvalidValue(msg)
                return Path(text)
    msg = f"a path is a str or an os.PathLike such as pathlib.Path, got {shown(value, 80)}"
    raise InvalidValue(msg)


def _open(path: Path) -> BinaryIO:
    """The file, opened to read: a regular file only.

    A FIFO could block for ever (even opening it), a device such as /dev/zero never end:
    both are refused before they are opened.
    """
    if path.exists() and not stat.S_ISREG(path.stat().st_mode) and not path.is_dir():
        msg = f"{path}: not a regular file (a pipe, a device or a socket); give a file"
        raise SchemaError(msg)
    return path.open("rb")  # a directory: IsADirectoryError, an OSError as documented


def _too_long() -> str:
    return f"over {MAX_LINE_BYTES:,} bytes long; lines over {MAX_LINE_BYTES:,} bytes are refused"


@overload
def _numbered(
    path: Path, handle: BinaryIO, *, go_on: Literal[False] = False
) -> Iterator[tuple[int, bytes]]: ...
@overload
def _numbered(
    path: Path, handle: BinaryIO, *, go_on: Literal[True]
) -> Iterator[tuple[int, bytes | None]]: ...
def _numbered(
    path: Path, handle: BinaryIO, *, go_on: bool = False
) -> Iterator[tuple[int, bytes | None]]:
    """The file's lines, numbered from 1, each read only up to `MAX_LINE_BYTES`.

    A longer line is refused as soon as the limit is passed; with `go_on`, it is given as
    None (the rest of it skipped unread into memory) and reading goes on.
    """
    limit = MAX_LINE_BYTES + 1  # the content, and its newline
    readline = handle.readline
    number = 0
    while line := readline(limit):
        number += 1
        if len(line) == limit and not line.endswith(b"\n"):
            if not go_on:
                raise _line_error(path, number, _too_long())
            while (rest := readline(1 << 16)) and not rest.endswith(b"\n"):
                pass  # the rest of the line, a little at a time
            yield number, None
            continue
        yield number, line


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


_CANONICAL: Final = orjson.OPT_SORT_KEYS | orjson.OPT_APPEND_NEWLINE  # as `dump` writes


def _object(path: Path, number: int, line: bytes) -> dict[str, Any]:
    """A line's JSON object (a header, an event or a seal), or the refusal saying why."""
    obj = _parse(path, number, line)
    if not isinstance(obj, dict):
        msg = f"an event must be a JSON object, got {shown(obj, 40)}"
        raise _line_error(path, number, msg)
    return obj


def _as_the_schema_says(obj: dict[str, Any]) -> None:
    """Refuse a value in a form the JSON Schema does not accept (the loader accepts no more)."""
    problem = check_patterns(obj)
    if problem is not None:
        raise SchemaError(problem)


def _unique(path: Path, number: int, line: bytes, value: Any) -> None:
    """Refuse a line whose JSON repeats a key in an object (the last would win, unsaid).

    A line as `dump` writes it (keys sorted, no spaces) is checked by writing `value` again;
    another is read again keeping every key.
    """
    try:
        if orjson.dumps(value, option=_CANONICAL) == line:
            return
    except TypeError:  # nested too deep to write: the decoder refuses it, saying why
        return
    repeated: list[str] = []

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        keys = [k for k, _ in items]
        if len(set(keys)) < len(keys):
            repeated.append(next(k for k in keys if keys.count(k) > 1))
        return dict(items)

    try:
        json.loads(line, object_pairs_hook=pairs)
    except (ValueError, RecursionError):  # what orjson read, json may not: the decoder decides
        return
    if repeated:
        msg = f"the key {repeated[0]!r:.60} appears twice in one object; give it once"
        raise _line_error(path, number, msg)


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


def load(path: str | os.PathLike[str], *, verify: bool = True) -> Timeline:
    """Read a timeline from a JSON Lines file written by `dump` (or by hand).

    Older schema versions are upcast on read. Nothing is partly loaded: either the whole
    file makes a valid timeline, or an error says which line is wrong and why. A file
    `dump` wrote ends with a seal (the number of its lines and their SHA-256): a file cut
    short, or with a line missing, repeated, changed or moved, is refused, saying so.

    Args:
        path: the file.
        verify: False reads a file edited by hand: its seal, if any, is not checked, and
            none is required (`dump` then writes it sealed again).

    Raises:
        SchemaError: the file is not a regtimeline file, a line is malformed, or the file
            does not match its seal; the message names the file, the line number and the
            field path.
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
    with _open(path) as handle:  # a line at a time: a big file is never held twice
        numbered = _numbered(path, handle)
        first = next(numbered, (1, b""))[1]
        if not first.strip():
            raise _line_error(path, 1, "empty file: expected a header line")
        header = (1, _parse(path, 1, first), first)
        timeline, after, seal = _section(path, header, numbered, 1, verify)
        if after is not None:
            msg = (
                "a second header: this file holds several disputes; read it with "
                "regtimeline.Archive.load"
            )
            raise _line_error(path, after[0], msg)
        seal.last()
        return timeline


def load_all(path: str | os.PathLike[str], *, verify: bool = True) -> list[Timeline]:
    """The timelines of a file holding one dispute or several, in the order written.

    Several disputes are written one after another, each from its own header line (the
    files of each, concatenated), each part closed by its seal. An empty file holds none.

    Raises:
        SchemaError, InvalidTransition, UnknownReference, DuplicateEvent, TimeError: as for
            `load`, naming the file and line.
        OSError: the file cannot be read.
        InvalidValue: `path` is not a path.
    """
    path = _path(path)
    timelines: list[Timeline] = []
    with _open(path) as handle:
        numbered = _numbered(path, handle)
        first = next(numbered, (1, b""))[1]
        if not first:
            return timelines
        if not first.strip():
            raise _line_error(path, 1, "a blank line: expected a header line")
        after: tuple[int, Any, bytes] | None = (1, _parse(path, 1, first), first)
        seen: set[str] = set()
        part = 0
        while after is not None:
            header, part = after[0], part + 1
            timeline, after, seal = _section(path, after, numbered, part, verify)
            if timeline.dispute.id in seen:
                raise _line_error(path, header, _twice(timeline.dispute.id))
            seen.add(timeline.dispute.id)
            timelines.append(timeline)
        seal.last()
    return timelines


def _twice(dispute_id: str) -> str:
    return f"dispute {dispute_id!r} appears twice in this file (an earlier header names it)"


def _section(
    path: Path,
    header: tuple[int, Any, bytes],
    numbered: Iterator[tuple[int, bytes]],
    part: int,
    verify: bool,
) -> tuple[Timeline, tuple[int, Any, bytes] | None, _Seal]:
    """One dispute's part of a file: its header (line, value, bytes) and the lines after it.

    Returns its timeline, the next header (None: the file ended), and the part's seal.
    """
    number = header[0]
    _unique(path, number, header[2], header[1])
    schema, dispute = _header(path, number, header[1])
    seal = _Seal(path, number, header[2], schema, part, verify)
    with paused_gc():  # a bulk load (see _gc)
        events, recorded, after = _entries(path, numbered, schema, seal)
        seal.ended()
        try:
            return Timeline(dispute)._with_recorded(events, recorded), after, seal
        except RegTimelineError as exc:
            found = _line_number(path, events, exc.event, number)
            where = f"{path}: line {found}" if found else str(path)
            error = type(exc)(f"{where}: {exc}")
            error.event = exc.event
            raise error from None


def _entries(
    path: Path, numbered: Iterator[tuple[int, bytes]], schema: int, seal: _Seal
) -> tuple[list[Event], list[int | None], tuple[int, Any, bytes] | None]:
    """The events of the lines after a header, up to the next header or the end.

    Returns the events, each one's recorded-time key, and the next header with its line
    number and bytes (None: the file ended). A seal line is checked as it comes.
    """
    events: list[Event] = []
    recorded: list[int | None] = []
    last: tuple[Any, int | None] = (None, None)  # the lines of one append repeat its time
    current = schema == SCHEMA_VERSION
    strict = not seal.required  # no seal vouches for these lines: held to the schema's forms
    digest = seal.digest.update
    for number, line in numbered:
        # the common case inline (this loop runs once an event); _unusual does the rest
        try:
            obj = orjson.loads(line)
        except orjson.JSONDecodeError:
            obj = None
        if (
            type(obj) is not dict
            or len(line) > MAX_LINE_BYTES
            or "seal" in obj
            or seal.sealed_at is not None
            or not seal.required  # a part no seal vouches for: each line checked for more
        ):
            obj = _unusual(path, number, line, obj, seal, len(events))
            if obj is None:
                continue
        if "format" in obj:  # the header of the next dispute
            return events, recorded, (number, obj, line)
        digest(line)
        try:
            if not current:
                obj = upcast(obj, schema)
            at = obj.pop("recorded_at", None)
            if at != last[0]:
                last = (at, None if at is None else _recorded_key(at))
            event = decode(obj)  # first: its refusals say most about what is wrong
            if strict:
                _as_the_schema_says(obj)
            recorded.append(last[1])
            events.append(event)
        except SchemaError as exc:
            raise _line_error(path, number, str(exc)) from None
    return events, recorded, None


def _unusual(
    path: Path, number: int, line: bytes, obj: Any, seal: _Seal, entries: int
) -> dict[str, Any] | None:
    """A line that is not simply the next event.

    None for a blank line or a seal (checked); the value of a header or of an event line
    that needed a closer look; or the refusal, saying why.
    """
    if obj is None and not line.strip():
        seal.digest.update(line)
        return None
    value = _object(path, number, line)
    if "format" in value:
        return value
    if not seal.required:
        _unique(path, number, line, value)
    if "seal" in value:
        seal.close(number, value, line, entries)
        return None
    if seal.sealed_at is not None:
        seal.after(number)
    return value


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


def _write(handle: BinaryIO, timeline: Timeline, part: int = 1, parts: int = 1) -> None:
    """Write the header and every entry, a line each, as they are encoded, then the seal.

    Each line goes to the (buffered) file at once: keeping a million lines in memory to
    join them cost more than encoding them (new memory for every line).
    """
    option = _CANONICAL
    header = {
        "format": FORMAT,
        "schema": SCHEMA_VERSION,
        "dispute": encode_dispute(timeline.dispute),
    }
    line = orjson.dumps(header, option=option)
    handle.write(line)
    digest = hashlib.sha256(line)
    entries = 0
    last: tuple[int | None, str | None] = (None, None)  # the lines of one append share a time
    for event, key in timeline._record_items():
        data = encode(event)
        if key != last[0]:
            last = (key, None if key is None else (EPOCH + ONE_US * key).isoformat())
        data["recorded_at"] = last[1]
        line = orjson.dumps(data, option=option)
        if len(line) > MAX_LINE_BYTES:  # ids and texts are bounded: only a huge scope can
            msg = (
                f"{type(event).__name__} {event.id!r:.60} is {len(line):,} bytes of JSON; a "
                f"line is at most {MAX_LINE_BYTES:,}: nothing was written"
            )
            raise InvalidValue(msg)
        handle.write(line)
        digest.update(line)
        entries += 1
    seal = {"entries": entries, "part": part, "parts": parts, "sha256": digest.hexdigest()}
    handle.write(orjson.dumps({"seal": seal}, option=option))


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
        for part, timeline in enumerate(items, start=1):
            _write(handle, timeline, part, len(items))

    _atomic(_path(path), write)


def _atomic(path: Path, write: Callable[[BinaryIO], None]) -> None:
    """Write a file by `write` under a temporary name, flush it, rename it into place.

    The temporary file is locked while it is written and renamed; temporary files of this
    destination left by a writer that died (no longer locked) are removed first.
    """
    # (the temporary file's creation or the rename would say so, naming the temporary file)
    if path.is_dir():
        raise IsADirectoryError(
            errno.EISDIR, "a directory, not a file: name a file in it", str(path)
        )
    if not path.parent.is_dir():
        raise FileNotFoundError(errno.ENOENT, "no such directory to write the file in", str(path))
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


def check(path: str | os.PathLike[str], *, verify: bool = True) -> list[RegTimelineError]:
    r"""Every problem of a JSON Lines file (or of each ``*.jsonl`` of a directory).

    Where `load` stops at the first problem, this goes on: every malformed line, bad header
    and event the rules refuse is reported, each naming its file and line (an event the
    rules refuse is set aside and the rest are checked without it; a dispute with more
    than 100 such events is reported as such after the 100th). An empty list: the file
    loads (`regtimeline.Archive.load`). Seals are checked as `load` checks them.

    Args:
        path: a file, or a directory of ``*.jsonl`` files.
        verify: False: as ``load(path, verify=False)``, seals are not checked.

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
        >>> _ = path.write_text("".join([lines[0], "{oops\n", *lines[1:3], lines[2], *lines[3:]]))
        >>> for problem in check(path):
        ...     print(str(problem).split(": ", 1)[1][:40])
        line 2: not valid JSON: unexpected chara
        line 14: the part from line 1 does not m
        line 5: throttle_imposed 'slowdown' at 2
    """
    root = _path(path)
    if root.is_dir():
        return [p for file in sorted(root.glob("*.jsonl")) for p in check(file, verify=verify)]
    checker = _Checker(root, verify)
    try:
        opened = _open(root)
    except SchemaError as exc:  # not a regular file
        return [exc]
    with opened as handle:
        numbered = _numbered(root, handle, go_on=True)
        for number, line in numbered:
            try:
                if line is None:
                    raise _line_error(root, number, _too_long())
                checker.line(number, line)
            except RegTimelineError as exc:
                checker.problems.append(exc)
    return checker.finish()


class _Checker:
    """A file as `check` reads it: line by line, every problem kept (in `load`'s order)."""

    def __init__(self, path: Path, verify: bool) -> None:
        self.path, self.verify = path, verify
        self.problems: list[RegTimelineError] = []
        self.seen: set[str] = set()
        self.part = 0
        self.section: _Checking | None = None

    def line(self, number: int, line: bytes) -> None:
        section = self.section
        if not line.strip():
            if number == 1:
                raise _line_error(self.path, 1, "a blank line: expected a header line")
            if section is not None:
                section.seal.digest.update(line)
            return
        try:
            obj = _object(self.path, number, line)
        except RegTimelineError:
            if section is not None:  # one of the part's lines all the same
                section.entries += 1
                section.seal.digest.update(line)
            raise
        if number == 1 or "format" in obj:
            _unique(self.path, number, line, obj)
            self._header(number, obj, line)
        elif section is not None:
            section.line(number, obj, line)

    def _header(self, number: int, obj: dict[str, Any], line: bytes) -> None:
        if self.section is not None:
            self.problems += self.section.finish()
        self.part += 1
        self.section = section = _Checking(self.path, number, line, self.part, self.verify)
        section.start(obj)
        dispute = section.dispute
        if dispute is not None and dispute.id in self.seen:  # said after its events, as load_all
            section.twice = _line_error(self.path, number, _twice(dispute.id))
        if dispute is not None:
            self.seen.add(dispute.id)

    def finish(self) -> list[RegTimelineError]:
        if self.section is not None:
            self.problems += self.section.finish()
            try:
                self.section.seal.last()
            except RegTimelineError as exc:
                self.problems.append(exc)
            self.section = None
        return self.problems


class _Checking:
    """One dispute's part of a file, as `check` reads it."""

    def __init__(self, path: Path, header: int, line: bytes, part: int, verify: bool) -> None:
        self.path, self.header, self.verify = path, header, verify
        self.schema: Any = SCHEMA_VERSION  # events after a bad header: read as current
        self.dispute: Dispute | None = None
        self.seal = _Seal(path, header, line, None, part, verify)  # none required: yet
        self.entries = 0
        self.events: list[Event] = []
        self.recorded: list[int | None] = []
        self.lines: list[int] = []
        self.twice: RegTimelineError | None = None  # an earlier part holds this dispute

    def start(self, obj: Any) -> None:
        self.schema, self.dispute = _header(self.path, self.header, obj)
        self.seal.required = (
            self.verify and isinstance(self.schema, int) and self.schema >= SEALED_SINCE
        )

    def line(self, number: int, obj: dict[str, Any], line: bytes) -> None:
        if not self.seal.required:  # no seal vouches for the part: each line checked more
            try:
                _unique(self.path, number, line, obj)
            except RegTimelineError:
                self.entries += 1
                self.seal.digest.update(line)
                raise
        if "seal" in obj:
            self.seal.close(number, obj, line, self.entries)
            return
        if self.seal.sealed_at is not None:
            self.seal.after(number)
        self.entries += 1
        self.seal.digest.update(line)
        self.add(number, obj)

    def finish(self) -> list[RegTimelineError]:
        """The part ended: its missing seal, then the rules' refusals, then a repeat."""
        problems: list[RegTimelineError] = []
        try:
            self.seal.ended()
        except RegTimelineError as exc:
            problems.append(exc)
        return problems + self.fold()

    def add(self, number: int, obj: dict[str, Any]) -> None:
        try:
            if self.schema != SCHEMA_VERSION:
                obj = upcast(obj, self.schema)
            at = obj.pop("recorded_at", None)
            recorded = None if at is None else _recorded_key(at)
            event = decode(obj)
            if not self.seal.required:
                _as_the_schema_says(obj)
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
