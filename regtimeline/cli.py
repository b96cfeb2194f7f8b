"""The command line: ``regtimeline COMMAND`` (also ``python -m regtimeline COMMAND``).

Commands read JSON Lines files (one dispute or several, or a directory of them) or store
URLs (``sqlite:///disputes.db``, ``postgresql://...``). Every reading command takes
``--json`` for scripts. Built on typer and rich, with the library's public API only;
``import regtimeline`` does not import this module.

Exit status: 0 done; 1 ``validate`` found problems; 2 a usage error (an unknown command or
option, a malformed date); 3 the data was refused (a `RegTimelineError`: the message says
which file, line and event); 4 a file or store cannot be read or written.
"""

from __future__ import annotations

import datetime as dt
import decimal
import importlib.metadata
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any, Final

import orjson
import typer
from rich.console import Console
from rich.progress import Progress
from rich.table import Table
from typer.exceptions import TyperException

from . import Archive, RegTimelineError, TimeError, check, dump, open_store
from ._demo import DEMO_DATES, run_demo
from .examples import twitter_russia

__all__ = ["app", "main"]

#: Exit statuses (see the module's docstring).
OK: Final = 0
PROBLEMS: Final = 1
USAGE: Final = 2
REFUSED: Final = 3
UNREADABLE: Final = 4

app = typer.Typer(
    name="regtimeline",
    help="Regulator-platform disputes as dated events, and their status at any time.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
imports = typer.Typer(help="Import tracker data.", no_args_is_help=True)
app.add_typer(imports, name="import")

_out = Console(soft_wrap=True)
_err = Console(stderr=True, soft_wrap=True)

Source = Annotated[
    str, typer.Argument(help="a JSON Lines file or directory, or a store URL", show_default=False)
]
AsJson = Annotated[bool, typer.Option("--json", help="print JSON, for scripts")]
Dispute_ = Annotated[str | None, typer.Option("--dispute", "-d", help="only this dispute (its id)")]
NoVerify = Annotated[
    bool,
    typer.Option("--no-verify", help="read files edited by hand: their seals are not checked"),
]
AsOf = Annotated[
    str | None, typer.Option("--as-of", help="as the record stood then (a day or an instant)")
]


class _Failure(Exception):
    """A failure to report in one line, with its exit status."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


def _version(value: bool) -> None:
    if value:
        _out.print(f"regtimeline {importlib.metadata.version('regtimeline')}")
        raise typer.Exit


@app.callback()
def _root(
    version: Annotated[  # handled by its callback
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="print the version"),
    ] = False,
) -> None:
    """Regulator-platform disputes as dated events, and their status at any time."""


# --- reading sources -------------------------------------------------------------------------


def _is_url(source: str) -> bool:
    return source.startswith(("sqlite:", "postgresql:", "postgres:", "memory:"))


def _archive(
    source: str, dispute: str | None = None, *, verify: bool = True, as_of: str | None = None
) -> Archive:
    """The disputes of a file, a directory or a store (one with `dispute`), as of `as_of`."""
    with _err.status(f"reading {source}", spinner="dots"):
        if _is_url(source):
            with open_store(source) as store:
                if dispute is not None:
                    return Archive([store.load(dispute)])
                archive = Archive.from_store(store)
        else:
            path = Path(source)
            if not path.exists():
                msg = f"{source}: no such file or directory"
                raise _Failure(msg, UNREADABLE)
            archive = Archive.load(path, verify=verify)
    if dispute is not None:
        archive = Archive([archive[dispute]])
    return archive if as_of is None else archive.as_of(as_of)


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, frozenset | set):
        return sorted(value)
    msg = f"cannot show {type(value).__name__} as JSON"
    raise TypeError(msg)


def _print_json(data: object) -> None:
    sys.stdout.write(orjson.dumps(data, default=_jsonable, option=orjson.OPT_INDENT_2).decode())
    sys.stdout.write("\n")


# --- commands --------------------------------------------------------------------------------


@app.command()
def demo(
    date: Annotated[
        list[str] | None,
        typer.Option("--date", metavar="YYYY-MM-DD", help="a day to report (repeatable)"),
    ] = None,
) -> None:
    """The founding case (Roskomnadzor against Twitter, 2021-2022): history and statuses."""
    try:
        text = run_demo(twitter_russia(), date or DEMO_DATES)
    except TimeError as exc:
        raise _Failure(str(exc), USAGE) from None
    _out.print(text, markup=False, highlight=False)


@app.command()
def show(
    source: Source,
    at: Annotated[
        str | None, typer.Option("--at", help="a day or an instant; default: now")
    ] = None,
    as_of: AsOf = None,
    dispute: Dispute_ = None,
    as_json: AsJson = False,
) -> None:
    """The status of each dispute at an instant, as a table."""
    archive = _archive(source, dispute)
    when = at if at is not None else dt.datetime.now(dt.UTC)
    rows = archive.status_at(when, as_of=as_of)
    if as_json:
        _print_json([_status_json(row.dispute.id, row.status) for row in rows])
        return
    table = Table(title=f"status at {at or 'now'}", show_lines=False)
    for column in ("dispute", "phase", "restrictions", "deadlines", "fines"):
        table.add_column(column)
    for row in rows:
        s = row.status
        restrictions = [f"{type(r).__name__.lower()} {r.id}: {r.scope}" for r in row.restrictions]
        deadlines = [f"{d.id}: {d.state.name}" for d in s.deadlines if d.is_open]
        fines = [f"{amount} {currency}" for currency, amount in s.fines.items()]
        table.add_row(
            row.dispute.id,
            s.phase.name,
            "\n".join(restrictions) or "-",
            "\n".join(deadlines) or "-",
            "\n".join(fines) or "-",
        )
    _out.print(table)


def _status_json(dispute_id: str, s: Any) -> dict[str, Any]:
    return {
        "dispute": dispute_id,
        "at": s.at,
        "phase": s.phase.name,
        "certain": s.certain,
        "restrictions": [
            {
                "id": r.id,
                "kind": type(r).__name__.lower(),
                "since": r.since,
                "ends": r.ends,
                "scope": str(r.scope),
            }
            for r in (*s.blocks, *s.throttles, *s.delistings)
        ],
        "deadlines": [{"id": d.id, "state": d.state.name, "due": d.due} for d in s.deadlines],
        "fines": dict(s.fines),
        "fines_owed": dict(s.fines_owed),
    }


@app.command()
def history(
    source: Source,
    as_of: AsOf = None,
    dispute: Dispute_ = None,
    as_json: AsJson = False,
) -> None:
    """Each dispute's periods of constant phase."""
    archive = _archive(source, dispute)
    rows = archive.periods(as_of=as_of)
    if as_json:
        _print_json(
            [
                {
                    "dispute": p.dispute.id,
                    "start": p.start,
                    "end": p.end,
                    "phase": p.phase.name,
                    "cause": p.cause,
                    "certain": p.certain,
                }
                for p in rows
            ]
        )
        return
    table = Table(title="history")
    for column in ("dispute", "from", "to", "phase", "begun by"):
        table.add_column(column)
    for p in rows:
        end = "(open)" if p.end is None else p.end.isoformat()
        cause = p.cause or "time"
        table.add_row(p.dispute.id, p.start.isoformat(), end, p.phase.name, cause)
    _out.print(table)


@app.command()
def events(
    source: Source,
    as_of: AsOf = None,
    dispute: Dispute_ = None,
    as_json: AsJson = False,
) -> None:
    """Each dispute's events, with their dates, sources and notes."""
    archive = _archive(source, dispute, as_of=as_of)
    if as_json:
        _print_json(
            [
                {
                    "dispute": t.dispute.id,
                    "id": e.id,
                    "type": e.kind,
                    "at": str(e.at) if not isinstance(e.at, dt.date) else e.at.isoformat(),
                    "source": e.source,
                    "note": e.note,
                }
                for t in archive
                for e in t.events
            ]
        )
        return
    table = Table(title="events")
    for column in ("dispute", "at", "event", "id", "source", "note"):
        table.add_column(column, overflow="fold")
    for t in archive:
        for e in t.events:
            at = e.at.isoformat() if isinstance(e.at, dt.date) else str(e.at)
            table.add_row(t.dispute.id, at, e.kind, e.id, e.source or "-", e.note or "-")
    _out.print(table)


@app.command()
def validate(
    files: Annotated[list[Path], typer.Argument(help="JSON Lines files", show_default=False)],
    no_verify: NoVerify = False,
    as_json: AsJson = False,
) -> None:
    """Check files: every problem with its file and line; exit status 1 if any."""
    problems: list[dict[str, str]] = []
    for path in files:
        try:
            if not path.exists():
                problems.append({"file": str(path), "problem": "no such file or directory"})
                continue
            found = check(path, verify=not no_verify)
            problems += [{"file": str(path), "problem": str(p)} for p in found]
        except RegTimelineError as exc:
            problems.append({"file": str(path), "problem": str(exc)})
        except OSError as exc:
            problems.append({"file": str(path), "problem": exc.strerror or str(exc)})
    if as_json:
        _print_json({"files": len(files), "problems": problems})
    else:
        for p in problems:
            text = p["problem"]
            _out.print(text if text.startswith(p["file"]) else f"{p['file']}: {text}", markup=False)
        bad = len({p["file"] for p in problems})
        summary = f"{len(files)} file(s), {bad} with problems ({len(problems)} in all)"
        _out.print(summary, markup=False)
    if problems:
        raise typer.Exit(PROBLEMS)


@app.command()
def convert(
    source: Annotated[str, typer.Argument(help="a JSON Lines file or directory, or a store URL")],
    destination: Annotated[
        str, typer.Argument(help="a JSON Lines file (all disputes in one) or a store URL")
    ],
    no_verify: NoVerify = False,
) -> None:
    """Copy every dispute from one file or store to another.

    Files keep recorded times; a store stamps what it is given with the time it stores it.
    A file written is sealed: `--no-verify` reads a file edited by hand and seals it anew.
    """
    archive = _archive(source, verify=not no_verify)
    if _is_url(destination):
        with open_store(destination) as store, Progress(console=_err, transient=True) as bar:
            task = bar.add_task("storing", total=len(archive))
            added = 0
            for timeline in archive:
                added += Archive([timeline]).save(store)
                bar.advance(task)
        _err.print(
            f"{len(archive)} dispute(s), {added} new event(s) in {destination}", markup=False
        )
        return
    path = Path(destination)
    if len(archive) == 1 and path.suffix == ".jsonl":
        dump(next(iter(archive)), path)
    else:
        archive.dump(path)
    _err.print(f"{len(archive)} dispute(s) written to {destination}", markup=False)


@app.command("plot")
def plot_(
    source: Source,
    output: Annotated[
        Path, typer.Option("--output", "-o", help="the picture to write: .png or .svg")
    ],
    since: Annotated[
        str | None, typer.Option("--since", help="the left edge (a day or an instant)")
    ] = None,
    until: Annotated[
        str | None,
        typer.Option("--until", help="the right edge: what is still in force there is drawn open"),
    ] = None,
    as_of: AsOf = None,
    dispute: Dispute_ = None,
    as_json: AsJson = False,
) -> None:
    """Draw a picture: one dispute as lanes, several as swimlanes coloured by phase."""
    from . import plot  # noqa: PLC0415 - needs the plot extra (matplotlib)

    archive = _archive(source, dispute, as_of=as_of)
    if len(archive) == 1:
        figure = plot.dispute(next(iter(archive)), since=since, until=until)
    else:
        figure = plot.disputes(archive, since, until)
    written = plot.save(figure, output)
    if as_json:
        _print_json({"written": str(written), "disputes": len(archive)})
        return
    _err.print(f"{len(archive)} dispute(s) drawn in {written}", markup=False)


@imports.command("stop")
def import_stop(
    file: Annotated[Path, typer.Argument(help="the STOP workbook (.xlsx) or a sheet as .csv")],
    to: Annotated[
        str | None, typer.Option("--to", help="a store URL or a .jsonl file to write to")
    ] = None,
    as_json: AsJson = False,
) -> None:
    """Import Access Now's #KeepItOn STOP data (credit: Access Now, #KeepItOn STOP)."""
    from .importers import stop  # noqa: PLC0415 - needs the xlsx extra for workbooks

    if not file.exists():
        msg = f"{file}: no such file or directory"
        raise _Failure(msg, UNREADABLE)
    with _err.status(f"importing {file}", spinner="dots"):
        result = stop.read(file)
    report = result.report
    written = 0
    if to is not None:
        if _is_url(to):
            with open_store(to) as store, Progress(console=_err, transient=True) as bar:
                task = bar.add_task("storing", total=len(result.archive))
                for timeline in result.archive:
                    written += Archive([timeline]).save(store)
                    bar.advance(task)
        else:
            result.archive.dump(Path(to))
            written = sum(len(t.entries) for t in result.archive)
    if as_json:
        _print_json(
            {
                "read": report.read,
                "imported": report.imported,
                "merged": report.merged,
                "skipped": report.skipped,
                "disputes": len(result.archive),
                "written": written,
                "rows": [
                    {"sheet": r.sheet, "row": r.row, "outcome": r.outcome, "reason": r.reason}
                    for r in report.rows
                    if r.outcome != "imported"
                ],
                "notes": list(report.notes),
            }
        )
        return
    _out.print(str(report), markup=False, highlight=False)
    _out.print(f"{len(result.archive)} dispute(s); {written} event(s) written", markup=False)


# --- running ---------------------------------------------------------------------------------


def _one_line(message: str) -> str:
    return " ".join(message.split())


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with `argv` (default: the process's); returns the exit status.

    Examples:
        >>> main(["demo", "--date", "2021-03-01"])  # doctest: +ELLIPSIS
        Roskomnadzor vs Twitter (RU, Europe/Moscow): 10 events
        ...
        0
    """
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        # outside standalone mode, an Exit from a command comes back as its status
        status = app(args, prog_name="regtimeline", standalone_mode=False)
    except _Failure as exc:
        _err.print(f"regtimeline: {_one_line(str(exc))}", markup=False, highlight=False)
        return exc.status
    except RegTimelineError as exc:
        _err.print(f"regtimeline: {_one_line(str(exc))}", markup=False, highlight=False)
        return REFUSED
    except OSError as exc:
        if isinstance(exc, BrokenPipeError):  # `regtimeline events x | head`
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return OK
        where = f"{exc.filename}: " if exc.filename else ""
        _err.print(f"regtimeline: {where}{exc.strerror or exc}", markup=False, highlight=False)
        return UNREADABLE
    except typer.Exit as exc:
        return int(exc.exit_code)
    except typer.Abort:
        return USAGE
    except TyperException as exc:  # a usage error: unknown command or option, bad value
        shown = getattr(exc, "format_message", None)
        message = _one_line(shown() if callable(shown) else str(exc))
        if message:  # none when the help was shown for want of a command
            _err.print(f"regtimeline: {message}", markup=False, highlight=False)
        return USAGE
    return status if isinstance(status, int) else OK


def run() -> None:
    """The ``regtimeline`` script: `main`, its status as the process's exit status."""
    raise SystemExit(main())
