"""Command line: ``python -m regtimeline demo`` (also the ``regtimeline`` script)."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from ._demo import DEMO_DATES, run_demo
from .errors import RegTimelineError
from .examples import twitter_russia


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status.

    Examples:
        >>> main(["demo", "--date", "2021-03-01"])  # doctest: +ELLIPSIS
        Roskomnadzor vs Twitter (RU, Europe/Moscow): 10 events
        ...
        0
    """
    parser = argparse.ArgumentParser(
        prog="regtimeline", description="Regulator-platform disputes as dated events."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    demo = commands.add_parser(
        "demo", help="the founding case (Roskomnadzor vs Twitter, 2021): history and statuses"
    )
    demo.add_argument(
        "--date",
        action="append",
        dest="dates",
        metavar="YYYY-MM-DD",
        help="a day to report the status on (repeatable; default: six days of 2021-2022)",
    )
    args = parser.parse_args(argv)
    try:
        print(run_demo(twitter_russia(), args.dates or DEMO_DATES))
    except RegTimelineError as exc:
        print(f"regtimeline: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # `regtimeline demo | head`: the reader stopped reading
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no error at exit
        return 0
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
