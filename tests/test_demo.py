"""The demo command on the bundled founding case."""

from __future__ import annotations

import subprocess
import sys

from regtimeline.cli import main


class TestDemo:
    def test_runs_as_a_module(self):
        """`python -m regtimeline demo` prints the history and the six statuses."""
        out = subprocess.run(
            [sys.executable, "-m", "regtimeline", "demo"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for day in (
            "2021-03-01",
            "2021-03-12",
            "2021-04-10",
            "2021-05-16",
            "2021-05-20",
            "2022-03-10",
        ):
            assert f"Status on {day}:" in out
        assert (
            "2021-03-10T00:00:00+03:00 .. 2022-03-04T00:00:00+03:00  THROTTLED  (slowdown)" in out
        )
        assert "deadline 'block-threat': OVERDUE, due 2021-05-15T23:59:59.999999+03:00" in out
        assert "photos+videos on mobile" in out

    def test_tells_the_story_events_then_changes_then_history_then_statuses(self, capsys):
        """Every event with its date, its note and its source; then the changes, the 17 May
        2021 partial lift among them though the phase stays THROTTLED; then the periods and
        the statuses, in that order."""
        from regtimeline.examples import twitter_russia

        assert main(["demo"]) == 0
        out = capsys.readouterr().out
        order = [out.index(h) for h in ("Events", "Changes", "History", "Status on")]
        assert order == sorted(order)
        events = out[order[0] : order[1]]
        for e in twitter_russia().events:
            assert f"  {e.kind}  {e.id}" in events
            if e.source:
                assert f"source: {e.source}" in events
            if e.note:
                assert e.note in events
        assert "Twitter: A constructive conversation with Roskomnadzor" in events
        changes = out[order[1] : order[2]].splitlines()
        assert (
            "  2021-05-17  THROTTLED  throttle 'slowdown' now covers photos+videos on mobile "
            "(fixed-restored)"
        ) in changes
        assert any(line.startswith("  2022-03-04  BLOCKED  ") for line in changes)

    def test_a_reader_that_stops_early_is_not_an_error(self):
        """`regtimeline demo | head -1`: no BrokenPipeError traceback, exit status 0."""
        demo = subprocess.Popen(
            [sys.executable, "-m", "regtimeline", "demo"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        assert demo.stdout is not None
        assert demo.stderr is not None
        demo.stdout.readline()
        demo.stdout.close()  # the reader stops: the demo's next writes meet a closed pipe
        errors = demo.stderr.read()
        demo.stderr.close()
        assert demo.wait(30) == 0
        assert b"Traceback" not in errors

    def test_statuses_on_the_demo_days(self, capsys):
        """Each demo day shows the phase the founding case had then."""
        assert main(["demo", "--date", "2021-04-10", "--date", "2022-03-10"]) == 0
        out = capsys.readouterr().out
        assert "Status on 2021-04-10:\n  phase: THROTTLED" in out
        assert (
            "deadline 'block-threat': PENDING, due 2021-05-15T23:59:59.999999+03:00, extended 1x"
            in out
        )
        assert "Status on 2022-03-10:\n  phase: BLOCKED" in out

    def test_a_bad_date_is_an_error_message_not_a_traceback(self, capsys):
        """A malformed --date exits with status 2 and says why."""
        assert main(["demo", "--date", "2021-13-01"]) == 2
        err = capsys.readouterr().err
        assert "regtimeline: '2021-13-01' is not an ISO 8601 date" in err
        assert "Traceback" not in err
