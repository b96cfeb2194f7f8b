"""Importing Access Now's #KeepItOn STOP data (credit: Access Now, #KeepItOn STOP).

The real workbook is imported whole: every row is accounted for, and rows are checked by
hand against what they say.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from python_calamine import CalamineWorkbook

from regtimeline import Archive, Phase, SchemaError
from regtimeline.importers import stop

WORKBOOK = Path(__file__).parent / "data" / "keepiton-stop-2016-2022.xlsx"


@pytest.fixture(scope="module")
def imported() -> stop.Imported:
    return stop.read(WORKBOOK)


@pytest.fixture(scope="module")
def archive(imported) -> Archive:
    return imported.archive


def _row(imported, sheet: str, number: int) -> stop.RowReport:
    return next(r for r in imported.report.rows if r.sheet == sheet and r.row == number)


def test_every_row_is_accounted_for(imported):
    """Counted independently of the importer: every non-empty row under a header (or of a
    sheet without one) is in the report once, and the counts reconcile."""
    book = CalamineWorkbook.from_path(str(WORKBOOK))
    expected = set()
    for name in book.sheet_names:
        rows = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
        has_header = "start_date" in {" ".join(str(c).split()).lower() for c in rows[0]}
        for number, row in enumerate(rows, start=1):
            if (number > 1 or not has_header) and any(str(c).strip() for c in row):
                expected.add((name, number))
    report = imported.report
    assert {(r.sheet, r.row) for r in report.rows} == expected
    assert len(report.rows) == len(expected) == report.read == 1121
    assert report.read == report.imported + report.merged + report.skipped
    assert all(r.reason for r in report.rows if r.outcome != "imported")
    assert report.skipped == 12
    assert "12 skipped" in str(report)


def test_reimporting_changes_nothing(imported):
    again = stop.read(WORKBOOK)
    assert again.archive == imported.archive
    assert again.report == imported.report


def test_russia_throttles_twitter_from_10_march_2021(imported, archive):
    """2022 Data row 5: a throttle, Twitter affected, ongoing (the same row is in the 2021
    sheet: merged)."""
    outcomes = {_row(imported, "2022 Data", 5).outcome, _row(imported, "2021 Data", 40).outcome}
    assert outcomes == {"imported", "merged"}
    twitter = archive["stop-ru-twitter"]
    assert twitter.dispute.jurisdiction == "RU"
    assert twitter.status_at("2021-03-09").phase is Phase.CLEAR
    status = twitter.status_at("2021-03-10")
    assert status.phase is Phase.THROTTLED
    assert "Illegal content" in (twitter.event(status.throttles[0].id).note or "")
    assert twitter.status_at("2021-12-31").phase is Phase.THROTTLED  # ongoing
    assert twitter.status_at("2022-03-10").phase is Phase.BLOCKED  # blocked in March 2022


def test_uganda_blocks_facebook_from_12_january_2021(imported, archive):
    """Service-based, Facebook, Twitter, WhatsApp, Instagram, Telegram and YouTube and
    Signal named; ongoing. The nationwide shutdown of 13-18 January is another row."""
    facebook = archive["stop-ug-facebook"]
    # throttled from 21 November 2020 (another row, its end unknown), then blocked
    assert facebook.status_at("2020-11-20").phase is Phase.CLEAR
    assert facebook.status_at("2021-01-11").phase is Phase.THROTTLED
    assert facebook.status_at("2021-01-12").phase is Phase.BLOCKED
    assert facebook.status_at("2022-06-01").phase is Phase.BLOCKED
    rows = (_row(imported, "2022 Data", 3), _row(imported, "2021 Data", 12))
    assert {r.outcome for r in rows} == {"imported", "merged"}
    disputes = {d for r in rows for d in r.disputes}
    assert {"stop-ug-facebook", "stop-ug-youtube", "stop-ug-signal"} <= disputes
    internet = archive["stop-ug-internet"]
    assert internet.status_at("2021-01-13").phase is Phase.BLOCKED


def test_tigray_cut_from_4_november_2020_and_still_cut(imported, archive):
    ethiopia = archive["stop-et-internet"]
    assert ethiopia.dispute.timezone == "Africa/Addis_Ababa"
    assert ethiopia.status_at("2020-11-03").phase_for(region="Tigray") is Phase.CLEAR
    assert ethiopia.status_at("2020-11-04").phase_for(region="Tigray") is Phase.BLOCKED
    assert ethiopia.status_at("2022-12-31").phase_for(region="Tigray") is Phase.BLOCKED
    outcomes = [
        _row(imported, s, n).outcome
        for s, n in (("2020 Data", 144), ("2021 Data", 6), ("2022 Data", 2))
    ]
    assert sorted(outcomes) == ["imported", "merged", "merged"]  # one shutdown, three sheets


def test_jammu_and_kashmir_2019_to_2021(imported, archive):
    """2021 Data row 4: mobile throttled in Jammu and Kashmir (IN-JK, the ISO code of the
    subdivision it names) from 5 August 2019 to 5 February 2021. 2020 Data row 4, a
    shutdown of the Kashmir Valley from 3 August 2019, finds the valley already cut by a
    row of 15 August 2018 that has no end (the older sheets have no status): it is kept
    on the record as a statement, and the report says why."""
    india = archive["stop-in-internet"]
    valley = "Kashmir Valley, Jammu and Kashmir"
    assert india.status_at("2018-08-14").phase_for(region=valley) is Phase.CLEAR
    assert india.status_at("2018-08-15").phase_for(region=valley) is Phase.BLOCKED
    rows = (_row(imported, "2019", 169), _row(imported, "2020 Data", 4))
    assert {r.outcome for r in rows} == {"merged"}  # one shutdown in two sheets
    assert any("kept as a statement" in (r.reason or "") for r in rows)
    assert any("the same shutdown as '2019' row 169" in (r.reason or "") for r in rows)
    said = [e for e in india.events if e.kind == "statement" and "Kashmir Valley" in e.text]
    assert any("2019-08-03 to 2020-01-25" in e.text for e in said)
    jk = india.status_at("2020-06-01")
    assert jk.phase_for(region="IN-JK", network="mobile") is Phase.THROTTLED
    assert jk.phase_for(region="IN-JK", network="fixed") is not Phase.THROTTLED
    assert india.status_at("2021-02-05").phase_for(region="IN-JK", network="mobile") is (
        Phase.THROTTLED
    )
    assert india.status_at("2021-02-06").phase_for(region="IN-JK", network="mobile") in (
        Phase.CLEAR,
        Phase.WARNED,
    )


def test_an_exam_time_shutdown(archive):
    """2022 Data row 58: mobile internet cut in districts of West Bengal during school
    exams, 7 to 16 March 2022."""
    india = archive["stop-in-internet"]
    restricted = india.status_at("2022-03-10").blocks
    exam = [b for b in restricted if "Malda" in str(b.scope)]
    assert exam
    assert exam[0].scope.networks == frozenset({"mobile"})
    assert "School exams" in (india.event(exam[0].id).note or "")
    assert all(b.id != exam[0].id for b in india.status_at("2022-03-17").blocks)


def test_an_estimated_start_is_an_approximate_day(imported, archive):
    rows = [r for r in stop.read_rows(WORKBOOK) if isinstance(r, stop.Row)]
    estimated = next(
        r for r in rows if str(r.cells.get("start_date_type", "")).strip() == "Estimated"
    )
    report = _row(imported, estimated.sheet, estimated.number)
    assert report.outcome in ("imported", "merged")
    t = archive[report.disputes[0]] if report.disputes else None
    if t is not None:
        vague = [e for e in t.events if str(e.at).endswith("~") or hasattr(e.at, "text")]
        assert vague, "an Estimated start is kept as an approximate day ('YYYY-MM-DD~')"


def test_an_unknown_end_is_imported_without_one_and_said_so(imported):
    rows = [r for r in stop.read_rows(WORKBOOK) if isinstance(r, stop.Row)]
    unknown = next(r for r in rows if str(r.cells.get("status", "")).strip() == "Unknown")
    report = _row(imported, unknown.sheet, unknown.number)
    if report.outcome == "imported":
        assert any("Unknown" in n for n in report.notes)


def test_skips_say_why(imported):
    reasons = {(r.sheet, r.row): r.reason for r in imported.report.rows if r.outcome == "skipped"}
    assert any("Somaliland" in r for r in reasons.values())
    assert any("is before start_date" in r for r in reasons.values())
    assert sum("no known layout" in r for r in reasons.values()) == 3  # "Need more details"
    assert any("neither a shutdown nor a throttle" in r for r in reasons.values())


def test_countries_and_zones_from_maintained_data():
    assert stop.country_code("Venezuela (Bolivarian Republic of)") == "VE"
    assert stop.country_code("Tanzania, United Republic of") == "TZ"
    assert stop.country_code("Côte d'Ivoire") == "CI"
    with pytest.raises(Exception, match="not a country"):
        stop.country_code("Atlantis")
    assert stop.time_zone("RU") == "Europe/Kaliningrad"  # the first the table lists
    assert stop.time_zone("KZ") == "Asia/Almaty"  # "most of Kazakhstan"


def test_a_chosen_zone_is_reported_and_can_be_overridden(imported):
    assert any(
        n.startswith("RU: days are read in Europe/Kaliningrad") for n in imported.report.notes
    )
    moscow = stop.read(WORKBOOK, timezones={"RU": "Europe/Moscow"})
    assert moscow.archive["stop-ru-twitter"].dispute.timezone == "Europe/Moscow"
    assert not any(n.startswith("RU:") for n in moscow.report.notes)


# --- CSV and layouts -------------------------------------------------------------------------


def _sheet_csv(tmp_path: Path, sheet: str) -> Path:
    rows = CalamineWorkbook.from_path(str(WORKBOOK)).get_sheet_by_name(sheet).to_python()
    path = tmp_path / f"{sheet.strip().replace(' ', '_')}.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(
            [c.isoformat() if isinstance(c, dt.date) else c for c in row] for row in rows
        )
    return path


@pytest.mark.parametrize("sheet", ["2022 Data", "2019", "2016+2017+2018 "])
def test_the_csv_export_of_a_sheet(tmp_path, imported, sheet):
    """One sheet as CSV gives the rows the workbook gives for it (merges aside: a sheet
    alone has no other sheet to repeat)."""
    alone = stop.read(_sheet_csv(tmp_path, sheet))
    assert alone.report.read == sum(r.sheet == sheet for r in imported.report.rows)
    assert alone.report.read == alone.report.imported + alone.report.merged + alone.report.skipped


def test_an_unknown_layout_names_its_columns(tmp_path):
    path = tmp_path / "other.csv"
    path.write_text("when,where,what\n2021-01-01,Kabul,shutdown\n")
    with pytest.raises(SchemaError, match="cannot place 'what', 'when', 'where'"):
        stop.read(path)


_HEADER = [
    "start_date_type", "start_date", "country", "geo_scope", "area_name", "shutdown_type",
    "affected_network", "shutdown_extent", "ordered_by", "decision_maker", "actual_cause",
    "actual_cause_details", "info_source", "info_source_link", "shutdown_status", "end_date",
    "duration", "gov_justification", "gov_just_details", "facebook_affected",
    "twitter_affected", "whatsapp_affected", "instagram_affected", "telegram_affected",
    "other_affected", "sms_affected", "phonecall_affected", "telcos_involved", "an_link",
]  # fmt: skip

_CELL = st.one_of(
    st.sampled_from(["", "Yes", "No", "Unknown", "=DAYS(P2,B2-1)", "2021-02-30", "Nationwide"]),
    st.dates(dt.date(2015, 1, 1), dt.date(2023, 1, 1)).map(dt.date.isoformat),
    st.text(max_size=12),
)


@settings(max_examples=max(30, settings.default.max_examples))
@given(st.lists(st.lists(_CELL, min_size=len(_HEADER), max_size=len(_HEADER)), max_size=6))
def test_malformed_cells_give_report_entries_never_exceptions(rows):
    """Dates that are text, formulas, empty countries, anything: every row is in the report."""
    import tempfile

    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "rows.csv"
        with path.open("w", newline="", encoding="utf-8") as handle:
            csv.writer(handle).writerows([_HEADER, *rows])
        result = stop.read(path)
    non_empty = sum(any(" ".join(c.split()) for c in row) for row in rows)
    assert result.report.read == non_empty
    report = result.report
    assert report.read == report.imported + report.merged + report.skipped


def test_two_versions_of_a_sheet_report_what_changed(tmp_path, imported):
    """An older version of the 2022 sheet (one end date earlier, one row missing) against
    the sheet as it is: the lift moved, the missing row's events added."""
    new = _sheet_csv(tmp_path, "2022 Data")
    lines = new.read_text(encoding="utf-8").splitlines(keepends=True)
    header = next(csv.reader([lines[0]]))
    end = header.index("end_date")
    rows = list(csv.reader(lines[1:]))
    start = header.index("start_date")
    changed = next(
        i for i, r in enumerate(rows) if r[end] > r[start] and r[header.index("country")] == "Sudan"
    )
    rows[changed][end] = (
        dt.date.fromisoformat(rows[changed][end]) - dt.timedelta(days=1)
    ).isoformat()
    dropped = next(i for i, r in enumerate(rows) if r[header.index("country")] == "Iraq")
    old_rows = [r for i, r in enumerate(rows) if i != dropped]
    old = tmp_path / "old.csv"
    with old.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([header, *old_rows])
    before = stop.read(old)
    after = stop.read(new, previous=before.archive)
    kinds = {c.change for c in after.report.changes}
    assert kinds == {"added", "changed"}
    assert any(
        c.dispute == "stop-sd-internet" and c.change == "changed" for c in after.report.changes
    )
    assert all(
        c.dispute.startswith("stop-iq-") for c in after.report.changes if c.change == "added"
    )
    assert stop.read(new, previous=after.archive).report.changes == ()


def test_saving_into_a_store_and_again(tmp_path, archive):
    from regtimeline import open_store

    first = archive.save(open_store(f"sqlite:///{tmp_path}/stop.db"))
    assert first == sum(len(t.entries) for t in archive)
    with open_store(f"sqlite:///{tmp_path}/stop.db") as store:
        assert archive.save(store) == 0
        again = Archive.from_store(store)
    assert [t.events for t in again] == [t.events for t in archive]


def test_a_nationwide_shutdown_over_a_region_already_cut(imported, archive):
    """Syria, 2022 Data: the part of a shutdown that a block already in force covers is
    left out, and the row's notes say so; all of it covered: a statement."""
    partly = [
        r for r in imported.report.rows if any("only where not already cut" in n for n in r.notes)
    ]
    assert partly
    row = partly[0]
    assert row.outcome == "imported"
    for dispute_id in row.disputes:
        assert dispute_id in archive


def _restriction(timeline, start: str, region: str | None, network: str | None):
    """The restriction of `timeline` imposed on day `start` that covers the slice."""
    from regtimeline import Scope

    piece = Scope(
        regions=None if region is None else {region},
        networks=None if network is None else {network},
    )
    status = timeline.status_at(start)
    found = [  # an Estimated start is the approximate day "YYYY-MM-DD~"
        r
        for r in (*status.blocks, *status.throttles)
        if str(timeline.event(r.id).at).rstrip("~") == start and r.scope.overlaps(piece)
    ]
    assert found, f"nothing imposed on {start} in {timeline.dispute.id}"
    return found[0]


ROWS = [
    # sheet, row, dispute, start, last day (None: no end), region, network, kind
    ("2016+2017+2018 ", 2, "stop-in-internet", "2016-01-26", "2016-01-26", "Kashmir", None, "block"),
    ("2019", 2, "stop-td-facebook", "2018-03-28", "2019-07-13", None, None, "block"),
    ("2019", 17, "stop-ve-twitter", "2019-01-21", "2019-01-21", None, None, "block"),
    ("2019", 119, "stop-sd-internet", "2019-06-03", "2019-07-09", None, None, "block"),
    ("2019", 184, "stop-iq-facebook", "2019-10-02", "2019-11-21", None, None, "block"),
    ("2019", 198, "stop-ir-internet", "2019-11-16", "2019-11-23",
     "National except Kurdish region", None, "block"),
    ("2020 Data", 2, "stop-pk-internet", "2016-06-12", "2021-12-28",
     "Federally Administered Tribal Area (FATA)", "mobile", "block"),
    ("2020 Data", 6, "stop-bd-internet", "2019-09-10", "2020-08-28",
     "Cox's Bazar refugee camp", "mobile", "block"),
    ("2020 Data", 89, "stop-et-internet", "2020-06-30", "2020-08-06", None, None, "block"),
    ("2020 Data", 105, "stop-by-telegram", "2020-08-09", "2020-12-07", None, None, "block"),
    ("2021 Data", 92, "stop-cu-facebook", "2021-07-11", "2021-07-15",
     "Most of the country", None, "block"),
    ("2022 Data", 20, "stop-kz-whatsapp", "2022-01-04", "2022-01-11", None, None, "block"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("sheet", "number", "dispute", "start", "last", "region", "network", "kind"), ROWS
)
def test_rows_checked_by_hand(
    imported, archive, sheet, number, dispute, start, last, region, network, kind
):
    """Each row, read by a person: what was cut, where, from which day to which (its
    end_date is the last day in force: lifted the next day)."""
    report = _row(imported, sheet, number)
    assert report.outcome in ("imported", "merged")
    timeline = archive[dispute]
    restriction = _restriction(timeline, start, region, network)
    assert type(restriction).__name__.lower() == kind
    if region is not None:
        assert region in (restriction.scope.regions or ()) or restriction.scope.regions is None
    if network is not None:
        assert restriction.scope.networks == frozenset({network})
    if last is not None:
        assert restriction.id in {
            r.id for r in (*timeline.status_at(last).blocks, *timeline.status_at(last).throttles)
        }
        after = (dt.date.fromisoformat(last) + dt.timedelta(days=1)).isoformat()
        later = timeline.status_at(after)
        assert restriction.id not in {r.id for r in (*later.blocks, *later.throttles)}
    assert restriction.id in {e.id for e in timeline.events}
    assert timeline.event(restriction.id).source  # every imported restriction has its links


# --- import, then export to the same layout -------------------------------------------------

_COUNTRIES = ["Uganda", "India", "Russia", "Ethiopia", "Brazil", "Iran", "Pakistan", "Myanmar"]
_WORD = st.sampled_from(["exams", "protests", "election", "security", "unrest", "rumours"])
_PHRASE = st.lists(_WORD, min_size=1, max_size=3).map(" ".join)
_SERVICES = ["Facebook", "Twitter", "WhatsApp", "Instagram", "Telegram", "YouTube", "TikTok"]


def _subdivision(country: str, index: int) -> str:
    import pycountry

    code = stop.country_code(country)
    names = sorted(s.name for s in pycountry.subdivisions.get(country_code=code))
    return names[index % len(names)]


@st.composite
def _stop_rows(draw, layout: str) -> list[dict[str, str]]:
    """Rows of one layout, by field, each in its own country (no two overlap)."""
    countries = draw(st.lists(st.sampled_from(_COUNTRIES), min_size=1, max_size=4, unique=True))
    rows = []
    for country in countries:
        start = draw(st.dates(dt.date(2016, 1, 1), dt.date(2022, 12, 31)))
        end = draw(st.none() | st.integers(0, 90).map(lambda d, s=start: s + dt.timedelta(d)))
        throttle = draw(st.booleans())
        services = draw(st.lists(st.sampled_from(_SERVICES), unique=True, max_size=3))
        internet = draw(st.booleans()) or not services
        area = draw(
            st.sampled_from(["", "Nationwide"])
            | st.integers(0, 50).map(lambda i, c=country: _subdivision(c, i))
            | _WORD.map(lambda w: f"Town of {w.title()}")
        )
        networks = draw(st.sampled_from(["Mobile", "Broadband", "Broadband, Mobile", ""]))
        row = {
            "country": country,
            "start_date": start.isoformat(),
            "end_date": end.isoformat() if end else "",
            "area": area,
            "ordered_by": draw(st.sampled_from(["", "Executive government", "Courts"])),
            "links": " ".join(
                draw(st.lists(_WORD.map(lambda w: f"https://example.org/{w}"), unique=True))
            ),
            "justification": draw(st.just("") | _PHRASE),
            "cause": draw(st.just("") | _PHRASE),
        }
        if layout == "2016-2018":
            words = ", ".join(f"{w} Internet" for w in networks.split(", ") if w)
            if not internet:
                group = "Service-based"
            elif throttle:
                group = "Throttling"
            else:
                group = draw(st.sampled_from(["Full network", words or "Full network"]))
            row |= {
                "type_group": group,
                "type": "Throttling" if throttle else words,
                "services": words,
                "service_details": ", ".join(services if not internet else ()),
                "notes": draw(st.just("") | _PHRASE),
            }
        else:
            odd = draw(st.sampled_from(["Satellite", "Unknown", ""]))
            row |= {
                "type": "Throttling"
                if throttle
                else draw(st.sampled_from(["Shutdown", "Full shutdown", "Shutdown, Throttle"])),
                "network": networks or odd,
                "extent": ", ".join(
                    (["Full network"] if internet else []) + (["Service-based"] if services else [])
                ),
                "telcos": ", ".join(
                    draw(st.lists(st.sampled_from(["MTN", "Airtel", "Orange"]), unique=True))
                ),
                "justification_details": draw(st.just("") | _PHRASE),
                "cause_details": draw(st.just("") | _PHRASE),
            }
            named = [
                s
                for s in services
                if s in ("Facebook", "Twitter", "WhatsApp", "Instagram", "Telegram")
            ]
            row |= {f"{s.lower()}_affected": "Yes" for s in named}
            row["other_services"] = ", ".join(s for s in services if s not in named)
            if layout == "2020-2022":
                row["start_date_type"] = draw(st.sampled_from(["Actual", "Estimated"]))
                row["status"] = draw(
                    st.sampled_from(
                        ["Unknown", "Ended"] if end else ["Ongoing", "Unknown", "Ended"]
                    )
                )
            else:
                row["notes"] = draw(st.just("") | _PHRASE)
        rows.append(row)
    return rows


def _write_rows(path: Path, layout_name: str, rows: list[dict[str, str]]) -> None:
    layout = next(x for x in stop.LAYOUTS if x.name == layout_name)
    header = list(dict.fromkeys(layout.columns.values()))
    with path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.DictWriter(handle, fieldnames=header)
        out.writeheader()
        out.writerows({layout.columns[f]: v for f, v in row.items()} for row in rows)


def _read_by_field(path: Path) -> list[dict[str, str]]:
    return [dict(r.cells) for r in stop.read_rows(path) if isinstance(r, stop.Row)]


@pytest.mark.parametrize("layout", [x.name for x in stop.LAYOUTS])
@settings(max_examples=max(25, settings.default.max_examples // 2), deadline=None)
@given(data=st.data())
def test_import_then_export_to_the_same_layout_gives_back_what_the_mapping_keeps(
    layout, data, tmp_path_factory
):
    """Generated rows of each layout, imported, written back in that layout, read again:
    the same disputes and events, every row written, nothing left out; and the rows
    written say what the generated ones said of country, dates, kind and places."""
    rows = data.draw(_stop_rows(layout))
    directory = tmp_path_factory.mktemp("stop")
    first = directory / "first.csv"
    _write_rows(first, layout, rows)
    imported = stop.read(first)
    assert imported.report.skipped == imported.report.merged == 0, imported.report
    written = stop.write(imported.archive, directory / "back.csv", layout=layout)
    assert written.left_out == ()
    again = stop.read(directory / "back.csv")
    assert again.archive == imported.archive
    assert again.report.read == written.rows
    back = {stop.country_code(r["country"]): r for r in _read_by_field(directory / "back.csv")}
    for row in rows:
        said = back[stop.country_code(row["country"])]
        assert said["start_date"] == row["start_date"]
        end = row["end_date"] if row.get("status") != "Ongoing" else ""
        assert said["end_date"] == end
        assert ("throttl" in said["type"].lower()) == ("throttl" in row["type"].lower())
        assert said["area"].lower() in ("nationwide", row["area"].lower())
        assert said["area"].lower() == (row["area"] or "nationwide").lower()
        if layout == "2020-2022":
            assert said["start_date_type"] == row["start_date_type"]


def test_writing_the_real_archive_back_leaves_nothing_out_silently(tmp_path, archive):
    """Every block and throttle is a row or is listed with its reason, as is every other
    event (the statements kept for merged rows; the rest of a partly overlapping row)."""
    written = stop.write(archive, tmp_path / "back.csv")
    again = stop.read(tmp_path / "back.csv")
    assert again.report.read == written.rows
    assert again.report.skipped == 0
    listed = {line.split(": ")[1] for line in written.left_out}
    restrictions = [
        e
        for t in archive
        for e in t.events
        if type(e).__name__ in ("BlockImposed", "ThrottleImposed")
    ]
    statements = [e for t in archive for e in t.events if type(e).__name__ == "Statement"]
    assert {e.id for e in statements} <= listed

    def said(e):  # the id is the row's; a row imported only where not already cut has
        return (type(e), e.at, e.scope)  # its written-back scope in its cells, so a new id

    back = {said(e) for t in again.archive for e in t.events if e.id.startswith("stop-")}
    assert all(said(e) in back or e.id in listed for e in restrictions)
    assert "stop-821e717a8270" in {e.id for e in again.archive["stop-ru-twitter"].events}


def test_bad_files_and_arguments_are_refused_with_library_errors(tmp_path):
    """A CSV in another encoding was a bare UnicodeDecodeError; a path that is not one, and
    a country that is not text, bare TypeErrors."""
    from regtimeline import InvalidValue

    latin = tmp_path / "latin.csv"
    latin.write_bytes("country,start_date\nCôte d'Ivoire,2020-01-01\n".encode("latin-1"))
    with pytest.raises(SchemaError, match="latin.csv: not UTF-8 text .*save the CSV as UTF-8"):
        stop.read(latin)
    for bad in (None, 5, "", "a\x00b"):
        with pytest.raises(InvalidValue, match="takes a file's path"):
            stop.read(bad)  # type: ignore[arg-type]
    for bad in (None, 5, ["Uganda"]):
        with pytest.raises(InvalidValue, match="a country is named by text"):
            stop.country_code(bad)  # type: ignore[arg-type]


def test_write_refuses_an_unknown_layout(tmp_path, archive):
    from regtimeline import InvalidValue

    with pytest.raises(InvalidValue, match="'2020-2022', '2019', '2016-2018'"):
        stop.write(archive, tmp_path / "x.csv", layout="2023")
    assert not (tmp_path / "x.csv").exists()


def test_write_lists_what_stop_cannot_hold(tmp_path):
    from regtimeline import BlockImposed, DeadlineSet, Dispute, Scope, Timeline

    t = Timeline(
        Dispute(
            id="x", regulator="r", platform="internet", jurisdiction="IN", timezone="Asia/Kolkata"
        )
    ).append(
        BlockImposed(at="2021-01-01T10:00:00+05:30", id="b", scope=Scope(regions={"IN-JK"})),
        BlockImposed(at="2021-02-01", id="s", scope=Scope(services={"sms"}, regions={"IN-DL"})),
        DeadlineSet(at="2021-01-01", id="d", due="2021-02-01", demand="comply"),
    )
    written = stop.write([t], tmp_path / "x.csv")
    assert written.rows == 1
    assert sorted(line.split(": ")[1] for line in written.left_out) == ["d", "s"]
    row = _read_by_field(tmp_path / "x.csv")[0]
    assert (row["start_date"], row["status"]) == ("2021-01-01", "Ongoing")
    assert row["area"] == "Jammu and Kashmīr"  # pycountry's name for IN-JK, read back as IN-JK
