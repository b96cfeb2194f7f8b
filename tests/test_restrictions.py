"""v2 restrictions: several at once, partial lifts, delistings, windows, slices, real cases."""

from __future__ import annotations

import pendulum
import pytest

from regtimeline import (
    BlockImposed,
    BlockLifted,
    Consequence,
    DeadlineSet,
    DeadlineState,
    DelistingImposed,
    DelistingLifted,
    Dispute,
    InvalidTransition,
    InvalidValue,
    Phase,
    Scope,
    ThrottleImposed,
    Timeline,
    UnknownReference,
    Window,
    load,
)
from regtimeline.examples import brazil_x, jammu_kashmir

from .helpers import refusal

INDIA = Dispute(
    id="in-internet",
    regulator="MHA",
    platform="internet",
    jurisdiction="IN",
    timezone="Asia/Kolkata",
)
IRAQ = Dispute(
    id="iq-exams",
    regulator="Ministry",
    platform="internet",
    jurisdiction="IQ",
    timezone="Asia/Baghdad",
)


def india(*events):
    return Timeline(INDIA, events)


class TestSeveralAtOnce:
    def test_two_blocks_on_separate_regions(self):
        """Blocks on scopes that do not overlap coexist; each slice has its own phase."""
        t = india(
            BlockImposed(at="2020-01-01", id="jk", scope=Scope(regions={"IN-JK"})),
            BlockImposed(at="2020-01-02", id="dl", scope=Scope(regions={"IN-DL"})),
        )
        s = t.status_at("2020-01-03")
        assert [b.id for b in s.blocks] == ["jk", "dl"]
        assert s.block.id == "jk"  # the first in force, in the order imposed
        assert s.phase_for(region="IN-DL") is Phase.BLOCKED
        assert s.phase_for(region="IN-MH") is Phase.CLEAR
        assert s.phase_for(region="Kashmir Valley") is Phase.CLEAR  # names have no hierarchy

    def test_a_throttle_and_a_block_side_by_side(self):
        """A throttle outside a block's scope stays; the phase is the strongest in force."""
        t = india(
            ThrottleImposed(at="2020-01-01", id="t", scope=Scope(networks={"fixed"})),
            BlockImposed(at="2020-01-02", id="b", scope=Scope(networks={"mobile"})),
        )
        s = t.status_at("2020-01-03")
        assert s.phase is Phase.BLOCKED
        assert (s.phase_for(network="fixed"), s.phase_for(network="mobile")) == (
            Phase.THROTTLED,
            Phase.BLOCKED,
        )
        assert [x.id for x in s.throttles] == ["t"]

    def test_a_block_ends_the_part_of_a_throttle_it_covers(self):
        """Superseded where blocked, kept elsewhere, and not restored when the block goes."""
        t = india(
            ThrottleImposed(at="2020-01-01", id="t"),
            BlockImposed(at="2020-01-02", id="b", scope=Scope(regions={"IN-JK"})),
            BlockLifted(at="2020-01-05", id="u", block="b"),
        )
        (left,) = t.status_at("2020-01-03").throttles
        assert str(left.scope) == "all services on all networks, all regions except IN-JK"
        s = t.status_at("2020-01-06")
        assert s.phase_for(region="IN-JK") is Phase.CLEAR
        assert s.phase_for(region="IN-DL") is Phase.THROTTLED

    def test_a_throttle_overlapping_a_block_is_refused(self):
        """A throttle on points already blocked is refused, naming the block and the overlap."""
        t = india(BlockImposed(at="2020-01-01", id="b", scope=Scope(regions={"IN-JK"})))
        message = refusal(
            InvalidTransition,
            t,
            ThrottleImposed(at="2020-01-02", id="t", scope=Scope(networks={"mobile"})),
        )
        assert "block 'b' is active on all services on all networks, in IN-JK" in message
        assert "overlaps it on all services on mobile, in IN-JK" in message

    def test_a_region_of_another_country_is_refused_at_append(self):
        """IN-JK is fine in India; BR-SP in an Indian dispute is refused with InvalidValue."""
        message = refusal(
            InvalidValue,
            india(),
            BlockImposed(at="2020-01-01", id="b", scope=Scope(regions={"BR-SP"})),
        )
        assert "the dispute is in IN" in message
        assert "BR-SP" in message

    def test_by_is_kept_on_restrictions_and_lifts(self):
        """`by` says who ordered a restriction; status records show it."""
        t = india(BlockImposed(at="2020-01-01", id="b", by="Home Ministry"))
        assert t.status_at("2020-01-02").block.by == "Home Ministry"
        lifted = t.append(BlockLifted(at="2020-01-03", id="u", by="Supreme Court"))
        assert lifted.event("u").by == "Supreme Court"


class TestPartialBlockLifts:
    def test_lifting_one_region_of_a_block(self):
        """BlockLifted(block=, scope=) narrows it; the rest stays blocked."""
        t = india(
            BlockImposed(at="2020-01-01", id="b", scope=Scope(regions={"IN-JK", "IN-LA"})),
            BlockLifted(at="2020-01-10", id="u", block="b", scope=Scope(regions={"IN-LA"})),
        )
        (b,) = t.status_at("2020-01-11").blocks
        assert b.scope == Scope(regions={"IN-JK"})
        assert b.since == pendulum.datetime(2020, 1, 1, tz="Asia/Kolkata")

    def test_a_lift_without_an_id_acts_on_every_block_it_overlaps(self):
        """Without `block`, every active block that the scope overlaps is narrowed."""
        t = india(
            BlockImposed(at="2020-01-01", id="jk", scope=Scope(regions={"IN-JK"})),
            BlockImposed(at="2020-01-01", id="dl", scope=Scope(regions={"IN-DL"})),
            BlockLifted(at="2020-01-10", id="u", scope=Scope(networks={"fixed"})),
        )
        s = t.status_at("2020-01-11")
        assert [str(b.scope) for b in s.blocks] == [
            "all services on mobile, in IN-JK",
            "all services on mobile, in IN-DL",
        ]

    def test_references_are_checked_before_states(self):
        """An unknown id is UnknownReference; a block no longer active, InvalidTransition."""
        t = india(
            BlockImposed(at="2020-01-01", id="b", ends="2020-01-02"),
            ThrottleImposed(at="2020-01-05", id="t"),
        )
        refusal(UnknownReference, t, BlockLifted(at="2020-01-06", id="u", block="nope"))
        refusal(UnknownReference, t, BlockLifted(at="2020-01-06", id="u", block="t"))
        message = refusal(InvalidTransition, t, BlockLifted(at="2020-01-06", id="u", block="b"))
        assert "no longer active" in message

    def test_a_lift_that_takes_nothing_away_is_refused(self):
        """Naming a block and a slice it does not cover (every value exists elsewhere)."""
        t = india(
            BlockImposed(
                at="2020-01-01",
                id="b",
                scope=Scope(networks={"mobile"}, regions={"IN-JK"})
                | Scope(networks={"fixed"}, regions={"IN-DL"}),
            )
        )
        message = refusal(
            InvalidTransition,
            t,
            BlockLifted(
                at="2020-01-02",
                id="u",
                block="b",
                scope=Scope(networks={"fixed"}, regions={"IN-JK"}),
            ),
        )
        assert "the lift takes nothing away" in message


class TestDelistings:
    STORES = DelistingImposed(at="2024-08-30", id="d", stores={"apple", "google"}, by="STF")

    def test_delisted_is_between_warned_and_throttled(self):
        """A delisting alone makes the dispute DELISTED; a throttle is stronger."""
        t = india(self.STORES)
        assert t.status_at("2024-08-31").phase is Phase.DELISTED
        t = t.append(ThrottleImposed(at="2024-09-01", id="t"))
        assert t.status_at("2024-09-02").phase is Phase.THROTTLED
        assert Phase.WARNED < Phase.DELISTED < Phase.THROTTLED

    def test_restored_to_one_store(self):
        """DelistingLifted(stores=...) restores it in one store; the rest stays delisted."""
        t = india(
            self.STORES,
            DelistingLifted(at="2024-09-10", id="l", delisting="d", stores={"apple"}),
        )
        (d,) = t.status_at("2024-09-11").delistings
        assert (d.stores, d.scope, d.by) == (frozenset({"google"}), Scope(), "STF")

    def test_overlapping_delistings_are_refused_and_separate_ones_coexist(self):
        """Scope and stores overlapping an active delisting: refused; other stores: fine."""
        t = india(self.STORES)
        refusal(InvalidTransition, t, DelistingImposed(at="2024-09-01", id="e", stores={"apple"}))
        both = t.append(DelistingImposed(at="2024-09-01", id="e", stores={"huawei"}))
        assert len(both.status_at("2024-09-02").delistings) == 2

    def test_a_delisting_enforces_a_deadline_and_delist_is_a_consequence(self):
        """`enforces` works as for throttles and blocks; Consequence.DELIST exists."""
        t = india(
            DeadlineSet(at="2024-08-01", id="x", due="2024-08-10", consequence="delist"),
            DelistingImposed(at="2024-08-11", id="d", enforces="x"),
        )
        deadline = t.status_at("2024-08-12").deadlines.get("x")
        assert (deadline.state, deadline.consequence) == (
            DeadlineState.ENFORCED,
            Consequence.DELIST,
        )

    def test_lifting_a_delisting_nobody_imposed(self):
        """No active delisting: a lift without an id is refused; an unknown id too."""
        refusal(InvalidTransition, india(), DelistingLifted(at="2024-09-01", id="l"))
        refusal(UnknownReference, india(), DelistingLifted(at="2024-09-01", id="l", delisting="d"))


class TestWindows:
    EXAMS = Window(start="06:00", end="08:00", days=["2023-06-10", "2023-06-11"])

    def exam_block(self, **more):
        return Timeline(
            IRAQ, [BlockImposed(at="2023-06-01", id="exams", window=self.EXAMS, **more)]
        )

    def at(self, text):
        return pendulum.parse(text + "+03:00")

    def test_half_open_on_exam_days_only(self):
        """06:00 is in force, 08:00 is not; other days are clear; active all along."""
        t = self.exam_block()
        assert t.status_at(self.at("2023-06-10T06:00:00")).phase is Phase.BLOCKED
        assert t.status_at(self.at("2023-06-10T07:59:59.999999")).phase is Phase.BLOCKED
        assert t.status_at(self.at("2023-06-10T08:00:00")).phase is Phase.CLEAR
        s = t.status_at(self.at("2023-06-12T07:00:00"))
        assert (s.phase, s.block, [b.id for b in s.blocks]) == (Phase.CLEAR, None, ["exams"])

    def test_history_shows_each_window(self):
        """history(until=) lists each window as a period that no event caused."""
        periods = self.exam_block().history(until="2023-06-12")
        assert [(p.start.isoformat(), p.phase.name, p.cause) for p in periods] == [
            ("2023-06-01T00:00:00+03:00", "CLEAR", "exams"),
            ("2023-06-10T06:00:00+03:00", "BLOCKED", None),
            ("2023-06-10T08:00:00+03:00", "CLEAR", None),
            ("2023-06-11T06:00:00+03:00", "BLOCKED", None),
            ("2023-06-11T08:00:00+03:00", "CLEAR", None),
        ]
        assert periods[-1].end is None

    def test_a_night_window_wraps_and_counts_from_a_late_start(self):
        """22:00-06:00 belongs to the day it starts; imposed at 23:00, in force at once."""
        t = Timeline(
            IRAQ,
            [
                ThrottleImposed(
                    at=self.at("2023-06-10T23:00:00"),
                    id="curfew",
                    window=Window(start="22:00", end="06:00", days=["2023-06-10"]),
                )
            ],
        )
        assert t.status_at(self.at("2023-06-10T23:00:00")).phase is Phase.THROTTLED
        assert t.status_at(self.at("2023-06-11T05:59:59")).phase is Phase.THROTTLED
        assert t.status_at(self.at("2023-06-11T06:00:00")).phase is Phase.CLEAR
        assert t.status_at(self.at("2023-06-11T22:30:00")).phase is Phase.CLEAR  # not a day

    def test_a_windowed_restriction_conflicts_with_nothing(self):
        """A windowed block may overlap a block, and a block does not end a windowed throttle."""
        t = Timeline(
            IRAQ,
            [
                ThrottleImposed(at="2023-06-01", id="t", window=Window(start="06:00", end="08:00")),
                BlockImposed(at="2023-06-02", id="b"),
                BlockImposed(at="2023-06-03", id="w", window=self.EXAMS),
            ],
        )
        s = t.status_at("2023-06-04")
        assert ([x.id for x in s.throttles], [x.id for x in s.blocks]) == (["t"], ["b", "w"])

    def test_windows_refuse_bad_values(self):
        """Clock times and dates are checked, naming the field."""
        with pytest.raises(InvalidValue, match=r"Window\.start"):
            Window(start="6am", end="08:00")
        with pytest.raises(InvalidValue, match=r"Window\.days"):
            Window(start="06:00", end="08:00", days=["10 June"])
        with pytest.raises(InvalidValue, match="window"):
            BlockImposed(at="2023-06-01", window="06:00-08:00")


class TestWindowsAcrossDST:
    def test_a_start_in_a_spring_gap_moves_to_the_gap_end(self):
        """Sao Paulo, 4 November 2018: midnight did not exist (00:00 -> 01:00). A window from
        00:00 starts at 01:00 that day."""
        sp = Dispute(
            id="br", regulator="r", platform="p", jurisdiction="BR", timezone="America/Sao_Paulo"
        )
        t = Timeline(
            sp, [BlockImposed(at="2018-11-01", id="b", window=Window(start="00:00", end="02:00"))]
        )
        periods = t.history(until="2018-11-04T12:00:00-02:00")
        starts = [p.start.isoformat() for p in periods if p.phase is Phase.BLOCKED]
        assert starts[-2:] == ["2018-11-03T00:00:00-03:00", "2018-11-04T01:00:00-02:00"]
        gap_end = pendulum.parse("2018-11-04T03:00:00Z")
        assert t.status_at(gap_end.subtract(microseconds=1)).phase is Phase.CLEAR
        assert t.status_at(gap_end).phase is Phase.BLOCKED

    def test_a_fall_back_hour_is_in_force_on_both_passes(self):
        """Moscow, 31 October 2010: 03:00 became 02:00 again. A 02:00-03:00 window covers both
        passes: two hours by the clock on the wall."""
        msk = Dispute(
            id="ru", regulator="r", platform="p", jurisdiction="RU", timezone="Europe/Moscow"
        )
        t = Timeline(
            msk,
            [ThrottleImposed(at="2010-10-30", id="t", window=Window(start="02:00", end="03:00"))],
        )
        first = pendulum.parse("2010-10-30T22:00:00Z")  # 02:00+04:00
        second = pendulum.parse("2010-10-30T23:00:00Z")  # 02:00+03:00
        assert t.status_at(first).phase is Phase.THROTTLED
        assert t.status_at(second.add(minutes=59)).phase is Phase.THROTTLED
        assert t.status_at(second.add(hours=1)).phase is Phase.CLEAR
        periods = t.history(until="2010-10-31T12:00:00+03:00")
        assert [(p.start.isoformat(), p.phase.name) for p in periods][-2:] == [
            ("2010-10-31T02:00:00+04:00", "THROTTLED"),
            ("2010-10-31T03:00:00+03:00", "CLEAR"),
        ]


class TestPhaseFor:
    def test_nothing_given_is_the_phase(self):
        """phase_for() is status.phase."""
        s = jammu_kashmir().status_at("2020-02-01")
        assert s.phase_for() is s.phase

    def test_bad_slices_are_refused(self):
        """A network that is not mobile or fixed, a blank value, a code-shaped typo."""
        s = india().status_at("2020-01-01")
        with pytest.raises(InvalidValue, match="network"):
            s.phase_for(network="satellite")
        with pytest.raises(InvalidValue, match="region"):
            s.phase_for(region=" ")
        with pytest.raises(InvalidValue, match="IN-XX"):
            s.phase_for(region="IN-XX")


class TestJammuAndKashmir:
    """The real case: a regional shutdown restored piece by piece (sources in the events)."""

    @pytest.mark.parametrize(
        ("day", "slice_", "phase"),
        [
            ("2019-08-03", {}, "CLEAR"),
            ("2019-09-01", {}, "BLOCKED"),
            ("2019-09-01", {"region": "Srinagar", "network": "fixed"}, "BLOCKED"),
            ("2019-09-01", {"region": "IN-MH"}, "CLEAR"),  # elsewhere in India
            ("2020-02-01", {"network": "mobile"}, "THROTTLED"),
            ("2020-02-01", {"network": "fixed"}, "THROTTLED"),
            ("2020-03-10", {"network": "fixed"}, "CLEAR"),
            ("2020-03-10", {"network": "mobile", "region": "Jammu"}, "THROTTLED"),
            ("2020-08-16", {"network": "mobile", "region": "Ganderbal"}, "CLEAR"),
            ("2020-08-16", {"network": "mobile", "region": "Srinagar"}, "THROTTLED"),
            ("2021-02-05", {}, "CLEAR"),
        ],
    )
    def test_dated_checkpoints(self, day, slice_, phase):
        """Phase of each slice on days the reporting pins down."""
        assert jammu_kashmir().status_at(day).phase_for(**slice_).name == phase

    def test_the_4g_trial_started_at_nine_pm(self):
        """Ganderbal got 4G at 21:00 IST on 16 August 2020, not at midnight."""
        t = jammu_kashmir()
        assert t.status_at("2020-08-16T20:59:59+05:30").phase_for(region="Ganderbal").name == (
            "THROTTLED"
        )
        assert t.status_at("2020-08-16T21:00:00+05:30").phase_for(region="Ganderbal").name == (
            "CLEAR"
        )

    def test_what_remains_is_said_in_words(self):
        """After the trial, the restriction covers mobile in the other 18 districts."""
        (left,) = jammu_kashmir().status_at("2020-09-01").throttles
        assert str(left.scope).startswith("all services on mobile, in Anantnag+Bandipora+")
        assert "Ganderbal" not in str(left.scope)
        assert "Udhampur" not in str(left.scope)
        assert len(left.scope.regions) == 18

    def test_every_event_cites_a_source(self):
        """Each event of the bundled case has a public source."""
        assert all(e.source and e.source.startswith("https://") for e in jammu_kashmir())


class TestBrazilX:
    """The real case: Brazil's Supreme Court against X, 2024 (sources in the events)."""

    def test_dated_checkpoints(self):
        """Warned, then blocked (enforcing the deadline), then clear from 8 October."""
        t = brazil_x()
        assert t.status_at("2024-08-29").phase is Phase.WARNED
        s = t.status_at("2024-08-31")
        assert (s.phase, s.block.id, s.delistings) == (Phase.BLOCKED, "suspension", ())
        assert s.deadlines.get("legal-representative").state is DeadlineState.ENFORCED
        assert t.status_at("2024-10-07").phase is Phase.BLOCKED
        assert t.status_at("2024-10-08").phase is Phase.CLEAR

    def test_the_app_store_order_is_on_the_record(self):
        """The delisting order and its suspension the same day are both events."""
        kinds = [e.kind for e in brazil_x() if e.id.startswith("app-stores")]
        assert kinds == ["delisting_imposed", "delisting_lifted"]

    def test_the_bundled_files_load(self, tmp_path):
        """The files round-trip: what is loaded is dumped byte for byte the same."""
        from importlib import resources

        import regtimeline

        for name in ("jammu-kashmir-2019.jsonl", "brazil-x-2024.jsonl"):
            with resources.as_file(resources.files("regtimeline") / "data" / name) as path:
                t = load(path)
                regtimeline.dump(t, tmp_path / name)
                assert (tmp_path / name).read_bytes() == path.read_bytes()
