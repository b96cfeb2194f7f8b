"""Diagrams from the code: every rule appears in the state diagram; the gantt chart is right."""

from __future__ import annotations

import pytest

from regtimeline import RULES, BlockImposed, Dispute, InvalidValue, Timeline
from regtimeline._rules import TIME_MOVES
from regtimeline.examples import twitter_russia
from regtimeline.render import gantt, rules_table, state_diagram


class TestStateDiagram:
    def test_every_phase_move_of_every_rule_is_drawn(self):
        """Each (before, after, event) of the rules table is an edge of the diagram."""
        lines = state_diagram().splitlines()
        for rule in RULES.values():
            for before, after in rule.moves:
                edge = next(
                    line
                    for line in lines
                    if line.strip().startswith(f"{before.name} --> {after.name} :")
                )
                assert rule.event.kind in edge
        for before, after in TIME_MOVES:
            assert any(
                line.strip().startswith(f"{before.name} --> {after.name} :") and "no event" in line
                for line in lines
            )

    def test_every_deadline_transition_is_drawn(self):
        """Each deadline state change a rule makes is an edge, and OVERDUE comes by time."""
        lines = state_diagram().splitlines()
        for rule in RULES.values():
            if rule.deadline_to is None:
                continue
            for source in rule.deadline_from or {None}:
                origin = "[*]" if source is None else source.name
                assert any(
                    line.strip().startswith(f"{origin} --> {rule.deadline_to.name} :")
                    and rule.event.kind in line
                    for line in lines
                ), (rule.event.kind, origin)
        assert "PENDING --> OVERDUE : due passes (no event)" in state_diagram()

    def test_no_edge_that_no_rule_makes(self):
        """Nothing is drawn by hand: every labelled edge comes from the table or from time."""
        kinds = {r.event.kind for r in RULES.values()}
        for line in state_diagram().splitlines():
            if " : " in line:
                for cause in line.split(" : ", 1)[1].split(", "):
                    assert cause.split(" (")[0] in kinds or "no event" in cause, cause

    def test_rules_table_lists_every_event(self):
        """The concepts page's table has a row per event class."""
        table = rules_table()
        assert all(f"`{rule.event.__name__}`" in table for rule in RULES.values())


class TestGantt:
    def test_founding_case(self):
        """Phases as tasks in the dispute's wall-clock time, deadlines in their own section."""
        chart = gantt(twitter_russia(), until="2022-06-01")
        assert "THROTTLED :active, p0, 2021-03-10 00:00, 2022-03-04 00:00" in chart
        assert "BLOCKED :crit, p1, 2022-03-04 00:00, 2022-06-01 23:59" in chart
        assert "block-threat (OVERDUE) :crit, d0, 2021-03-16 00:00, 2021-05-15 23:59" in chart

    def test_every_phase_is_drawn(self):
        """Delisted, blocked, throttled, warned and clear periods all become bars."""
        from regtimeline import (
            BlockImposed,
            BlockLifted,
            DeadlineSet,
            DelistingImposed,
            ThrottleImposed,
        )

        d = Dispute(id="d", regulator="R", platform="P", jurisdiction="BR", timezone="UTC")
        t = Timeline(
            d,
            [
                DeadlineSet(at="2024-08-01", id="x", due="2024-08-02"),
                DelistingImposed(at="2024-08-03", id="store", ends="2024-08-20"),
                ThrottleImposed(at="2024-08-05", id="t", ends="2024-08-06"),
                BlockImposed(at="2024-08-10", id="b"),
                BlockLifted(at="2024-08-12", id="u"),
            ],
        )
        chart = gantt(t)
        for phase in ("WARNED", "DELISTED", "THROTTLED", "BLOCKED"):
            assert f"    {phase} :" in chart

    def test_empty_timeline(self):
        """An empty timeline draws an empty chart, not an error."""
        empty = Timeline(
            Dispute(id="x", regulator="r", platform="p", jurisdiction="RU", timezone="UTC")
        )
        assert gantt(empty).startswith("gantt")

    @pytest.mark.parametrize("bad", ["a:b", "a;b", "a#b"])
    def test_labels_are_made_safe(self, bad):
        """Ids with characters Mermaid's gantt grammar reserves are cleaned."""
        from regtimeline import DeadlineSet

        t = Timeline(
            Dispute(id="x", regulator="r", platform="p", jurisdiction="RU", timezone="UTC"),
            [DeadlineSet(at="2021-01-01", id=bad, due="2021-02-01")],
        )
        deadline_line = gantt(t).splitlines()[-1]
        assert bad not in deadline_line
        assert deadline_line.count(":") == 1 + 2  # the task separator and two clock times


def test_gantt_takes_a_timeline():
    with pytest.raises(InvalidValue, match="gantt takes a Timeline"):
        gantt(None)  # type: ignore[arg-type]


def test_imprecise_boundaries_are_drawn_as_spans():
    """A boundary from an imprecise time: its phase labelled, its span drawn apart."""
    d = Dispute(
        id="in", regulator="MeitY", platform="TikTok", jurisdiction="IN", timezone="Asia/Kolkata"
    )
    t = Timeline(d, [BlockImposed(at="2020-06-29", id="b", ends="2021-01~")])
    lines = gantt(t).splitlines()
    assert "    BLOCKED (imprecise boundary) :crit, p0, 2020-06-29 00:00, 2021-03-01 00:00" in lines
    assert "    section Imprecise" in lines
    assert "    between 2020-12-01 and 2021-03-01 :u0, 2020-12-01 00:00, 2021-03-01 00:00" in lines
    assert "Imprecise" not in gantt(twitter_russia())
