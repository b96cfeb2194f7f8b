"""Accruing fines summed by group (regtimeline/_accrual.py) against counting fine by fine.

`status.fine_states` counts each fine from its own instants (`Zone.shift`, one fine at a
time); `status.fines` and `status.fines_owed` sum whole groups on a grid. They must agree
at every instant, in zones with DST, at month ends and around every stop and cancellation.
"""

from __future__ import annotations

from decimal import Decimal

import pendulum
from hypothesis import given, settings
from hypothesis import strategies as st

from regtimeline import (
    DeadlineMet,
    DeadlineSet,
    Dispute,
    FineCancelled,
    FineImposed,
    FinePaid,
    RegTimelineError,
    Timeline,
)

ZONES = (
    "UTC",
    "Europe/Brussels",
    "America/Sao_Paulo",
    "Australia/Lord_Howe",
    "Pacific/Apia",
    "America/Santiago",
)
PERIODS = ("PT6H", "PT24H", "P1D", "P7D", "P1M", "P2M", "P1Y", "P1DT12H")
START = pendulum.datetime(2011, 3, 1, tz="UTC")
SPAN_HOURS = 24 * 400


def expected(status, currency):
    """Imposed and owed from the per-fine figures."""
    states = [f for f in status.fine_states if f.currency == currency and not f.cancelled]
    return sum((f.accrued for f in states), Decimal(0)), sum((f.owed for f in states), Decimal(0))


@st.composite
def fine_timelines(draw):
    zone = draw(st.sampled_from(ZONES))
    dispute = Dispute(id="d", regulator="R", platform="P", jurisdiction="BR", timezone=zone)
    hours = sorted(draw(st.lists(st.integers(0, SPAN_HOURS), min_size=2, max_size=30)))
    events = [DeadlineSet(at=START, id="dl", due=START.add(days=500))]
    fines: list[str] = []
    met = False
    for n, hour in enumerate(hours):
        at = START.add(hours=hour, minutes=draw(st.sampled_from([0, 17, 30])))
        choice = draw(st.integers(0, 9))
        if choice <= 5 or not fines:
            until = draw(st.none() | st.integers(1, 24 * 200))
            events.append(
                FineImposed(
                    at=at,
                    id=f"f{n}",
                    amount=draw(st.sampled_from(["1", "2.5", "1000", "0.001", "7"])),
                    currency=draw(st.sampled_from(["BRL", "USD"])),
                    by="court",
                    per=draw(st.sampled_from(PERIODS)),
                    until=None if until is None else at.add(hours=until),
                    deadline=None if met or draw(st.booleans()) else "dl",
                )
            )
            fines.append(f"f{n}")
        elif choice <= 7:
            fine = draw(st.sampled_from(fines))
            events.append(FineCancelled(at=at, id=f"c{n}", fine=fine, by="appeal"))
            fines.remove(fine)
        elif choice == 8 and not met:
            events.append(DeadlineMet(at=at, id=f"m{n}", deadline="dl"))
            met = True
        else:
            events.append(
                FinePaid(
                    at=at,
                    id=f"p{n}",
                    fine=draw(st.sampled_from(fines)),
                    amount="0.5",
                    currency="BRL",
                )
            )
    return dispute, events


def build(dispute, events, moments):
    """Append one by one, skipping what the rules refuse (a payment in the wrong currency),
    and check the latest timeline after each (its index grows between reads)."""
    t = Timeline(dispute, [])
    for n, event in enumerate(events):
        try:
            t = t.append(event)
        except RegTimelineError:
            continue  # a generated refusal: leave it out
        check(t, moments[n % len(moments)])
    return t


def check(t, when):
    status = t.status_at(when)
    for currency in ("BRL", "USD"):
        imposed, owed = expected(status, currency)
        assert status.fines.get(currency, Decimal(0)) == imposed
        assert status.fines_owed.get(currency, Decimal(0)) == owed


@settings(max_examples=max(200, settings.default.max_examples), deadline=None)
@given(
    fine_timelines(),
    st.lists(
        st.tuples(st.integers(-48, SPAN_HOURS + 24 * 800), st.sampled_from([0, 17, 30, 59])),
        min_size=1,
        max_size=8,
    ),
)
def test_group_sums_equal_fine_by_fine(case, hours):
    dispute, events = case
    moments = [START.add(hours=h, minutes=m) for h, m in hours]
    t = build(dispute, events, moments)
    for when in moments + [e.at for e in t.events]:
        check(t, when)


def test_the_group_path_is_taken():
    """Guard against a vacuous comparison: the sums come from the groups on steady days
    (white-box: reads the log behind the timeline)."""
    d = Dispute(id="d", regulator="R", platform="P", jurisdiction="BR", timezone="Europe/Brussels")
    t = Timeline(
        d,
        [
            FineImposed(at="2021-01-31", id="m", amount="1.50", currency="EUR", by="c", per="P1M"),
            FineImposed(at="2021-01-31", id="d", amount="2", currency="EUR", by="c", per="P1D"),
        ],
    )
    log = t._log
    assert set(log.accrual) == {("EUR", 2, 31 * 86_400_000_000), ("EUR", 1, 86_400_000_000)}
    imposed: dict[str, Decimal] = {}
    slow = log._accrue_groups(len(log), log.zone.query_key("2021-04-30"), imposed)
    assert slow == []
    assert imposed == {"EUR": Decimal("1.50") * 4 + 2 * 90}
    # the last day of February is a due day for a fine from 31 January; shown with 2 decimals
    assert str(t.status_at("2021-02-28").fines["EUR"]) == str(Decimal("3.00") + 2 * 29)


def test_a_dst_day_is_counted_fine_by_fine():
    """On a day the UTC offset changes the groups step aside: 02:30 does not exist on 28
    March 2021 in Brussels, so that day's instant is 03:30 (the wall clock moved on)."""
    d = Dispute(id="d", regulator="R", platform="P", jurisdiction="BR", timezone="Europe/Brussels")
    fine = FineImposed(
        at="2021-03-01T02:30:00+01:00", id="f", amount="1", currency="EUR", by="c", per="P1D"
    )
    t = Timeline(d, [fine])
    log = t._log
    key = log.zone.query_key("2021-03-28T03:00:00+02:00")
    assert log._accrue_groups(len(log), key, {}) == log.accruing
    assert t.status_at("2021-03-28T03:29:59+02:00").fines["EUR"] == 27
    assert t.status_at("2021-03-28T03:30:00+02:00").fines["EUR"] == 28
    assert t.status_at("2021-03-30T02:29:59+02:00").fines["EUR"] == 29  # steady again


def test_an_older_timeline_sharing_the_log_keeps_its_figures():
    """Appending in place grows the log an older timeline shares: its answers stay its own,
    whether the later entries are indexed yet or not."""
    fines = [
        FineImposed(
            at=f"2021-01-{d:02d}", id=f"f{d}", amount="1", currency="EUR", by="c", per="P1D"
        )
        for d in range(1, 29)
    ]
    dispute = Dispute(
        id="d", regulator="R", platform="P", jurisdiction="BE", timezone="Europe/Brussels"
    )
    cancel = FineCancelled(at="2021-01-30", id="x", fine="f1", by="appeal")
    for older_reads_first in (True, False):  # the cancellation unindexed, or indexed
        older = Timeline(dispute, fines)
        if older_reads_first:
            assert older.status_at("2021-02-01").fines["EUR"] == sum(range(5, 33))
        newer = older.append(cancel)
        assert newer.status_at("2021-02-01").fines["EUR"] == sum(range(5, 32))
        assert older.status_at("2021-02-01").fines["EUR"] == sum(range(5, 33))


def test_one_fine_counted_alone_at_month_ends_and_dst_days():
    """`fine_states` counts each fine from a wall-clock estimate, checked both ways."""
    d = Dispute(id="d", regulator="R", platform="P", jurisdiction="BE", timezone="Europe/Brussels")
    t = Timeline(
        d,
        [
            FineImposed(at="2021-01-31", id="m", amount="1", currency="EUR", by="c", per="P1M"),
            FineImposed(
                at="2021-03-27T02:30:00+01:00",
                id="d",
                amount="1",
                currency="EUR",
                by="c",
                per="P1D",
            ),
        ],
    )
    cases = {
        "2021-02-27": (1, None),
        "2021-02-28T00:00:00+01:00": (2, None),
        "2021-03-28T03:29:59+02:00": (2, 1),
        "2021-03-28T03:30:00+02:00": (2, 2),
        "2021-04-30": (4, 35),
    }
    for when, (monthly, daily) in cases.items():
        states = {f.id: f.accrued for f in t.status_at(when).fine_states}
        assert (states["m"], states.get("d")) == (monthly, daily), when


def test_fines_from_the_last_days_of_a_month_on_the_last_day_of_shorter_ones():
    """A monthly fine from 28, 29, 30 or 31 January at a time of day falls due on the last
    day of a shorter month at that time, not before (the grouped count took every such
    fine as due from that day's midnight: 4,369 for 4,368, found by the ci profile)."""
    d = Dispute(
        id="d", regulator="R", platform="P", jurisdiction="BR", timezone="America/Sao_Paulo"
    )
    events = [
        FineImposed(
            at=pendulum.datetime(2011, 1, day, hour, tz="America/Sao_Paulo"),
            id=f"f{day}-{hour}-{per}",
            amount="1",
            currency="BRL",
            by="court",
            per=per,
        )
        for day in (27, 28, 29, 30, 31)
        for hour in (0, 1, 12, 23)
        for per in ("P1M", "P2M")
    ]
    whens = []
    for year in (2011, 2012):
        for month in range(1, 13):
            last = pendulum.date(year, month, 1).end_of("month").day
            for day in {27, 28, 29, 30, last}:
                if day <= last:
                    for hour, minute in ((0, 0), (0, 59), (1, 0), (11, 59), (12, 0), (23, 0)):
                        whens.append(
                            pendulum.datetime(year, month, day, hour, minute, tz=d.timezone)
                        )
    at_once = Timeline(d, events)
    grown = Timeline(d)
    for n, e in enumerate(events):  # a timeline read after each append: pending entries too
        grown = grown.append(e)
        check(grown, whens[(n * 7) % len(whens)])
    for when in whens:
        check(at_once, when)
        check(grown, when)
