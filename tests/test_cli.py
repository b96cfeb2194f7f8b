"""The command line, as a person uses it: every command, its exit status, --json, and
errors in one line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from regtimeline import Archive, dump, load, open_store
from regtimeline.cli import main
from regtimeline.examples import cases, twitter_russia

FOUNDING = Path(__file__).parent.parent / "regtimeline" / "data" / "twitter-russia-2021.jsonl"
WORKBOOK = Path(__file__).parent / "data" / "keepiton-stop-2016-2022.xlsx"


def run(capsys, *args: str) -> tuple[int, str, str]:
    status = main(list(args))
    out, err = capsys.readouterr()
    return status, out, err


def one_line_error(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert lines[0].startswith("regtimeline: ")
    assert "Traceback" not in err
    return lines[0]


def test_version(capsys):
    status, out, _ = run(capsys, "--version")
    assert status == 0
    assert out.startswith("regtimeline ")


def test_show(capsys):
    status, out, _ = run(capsys, "show", str(FOUNDING), "--at", "2021-05-20")
    assert status == 0
    assert "THROTTLED" in out
    assert "OVERDUE" in out


def test_show_json_is_the_status(capsys):
    status, out, _ = run(capsys, "show", str(FOUNDING), "--at", "2021-05-20", "--json")
    assert status == 0
    [row] = json.loads(out)
    expected = twitter_russia().status_at("2021-05-20")
    assert row["phase"] == expected.phase.name
    assert [r["id"] for r in row["restrictions"]] == [t.id for t in expected.throttles]
    assert row["restrictions"][0]["scope"] == "photos+videos on mobile"
    assert row["fines"] == {"RUB": "8900000"}


def test_show_as_of_and_a_store(capsys, tmp_path):
    url = f"sqlite:///{tmp_path}/cases.db"
    Archive(cases()).save(open_store(url))
    status, out, _ = run(capsys, "show", url, "--at", "2024-09-01", "--json")
    assert status == 0
    phases = {row["dispute"]: row["phase"] for row in json.loads(out)}
    assert phases["br-stf-x-2024"] == "BLOCKED"
    status, out, _ = run(
        capsys, "show", url, "--at", "2024-09-01", "--dispute", "br-stf-x-2024", "--json"
    )
    assert [row["dispute"] for row in json.loads(out)] == ["br-stf-x-2024"]
    status, out, _ = run(
        capsys, "show", url, "--at", "2024-09-01", "--as-of", "2000-01-01", "--json"
    )
    assert status == 0  # the store stamped every event now: nothing was known in 2000
    assert {row["phase"] for row in json.loads(out)} == {"CLEAR"}


def test_history_and_events(capsys):
    status, out, _ = run(capsys, "history", str(FOUNDING), "--json")
    assert status == 0
    periods = json.loads(out)
    assert [p["phase"] for p in periods] == [p.phase.name for p in twitter_russia().history()]
    status, out, _ = run(capsys, "events", str(FOUNDING), "--json")
    rows = json.loads(out)
    assert [r["id"] for r in rows] == [e.id for e in twitter_russia().events]
    assert all(r["source"] for r in rows)  # the founding case's every event has its source
    status, out, _ = run(capsys, "events", str(FOUNDING))
    assert "https://" in out
    status, out, _ = run(capsys, "history", str(FOUNDING))
    assert "BLOCKED" in out


def test_validate(capsys, tmp_path):
    good = tmp_path / "good.jsonl"
    dump(twitter_russia(), good)
    bad = tmp_path / "bad.jsonl"
    lines = good.read_text().splitlines(keepends=True)
    lines[3] = lines[3].replace('"at":"', '"at":"x')
    bad.write_text("".join(lines))
    status, out, _ = run(capsys, "validate", str(good))
    assert status == 0
    status, out, _ = run(capsys, "validate", str(good), str(bad), str(tmp_path / "missing.jsonl"))
    assert status == 1
    assert f"{bad}: line 4:" in out
    assert "missing.jsonl: no such file or directory" in out
    status, out, _ = run(capsys, "validate", str(bad), "--json")
    assert status == 1
    report = json.loads(out)
    assert report["files"] == 1
    assert "line 4" in report["problems"][0]["problem"]


def test_validate_reports_every_problem_of_a_file(capsys, tmp_path):
    bad = tmp_path / "bad.jsonl"
    dump(twitter_russia(), bad)
    lines = bad.read_text().splitlines(keepends=True)
    lines[3] = "{oops\n"
    lines[6] = lines[6].replace('"type":"', '"type":"x')
    bad.write_text("".join([*lines[:-1], lines[2], lines[-1]]))  # an event again, then the seal
    status, out, _ = run(capsys, "validate", str(bad), str(FOUNDING))
    assert status == 1
    assert f"{bad}: line 4: not valid JSON" in out
    assert f"{bad}: line 7: unknown event type" in out
    assert f"{bad}: line {len(lines)}: " in out
    assert f"{bad}: line {len(lines) + 1}: the part from line 1 does not match its seal" in out
    assert "2 file(s), 1 with problems (5 in all)" in out  # and a consequence of line 7


def test_convert_between_files_and_stores(capsys, tmp_path):
    url = f"sqlite:///{tmp_path}/copy.db"
    status, _, err = run(capsys, "convert", str(FOUNDING), url)
    assert status == 0
    assert "1 dispute(s), 10 new event(s)" in err
    back = tmp_path / "back.jsonl"
    status, _, _ = run(capsys, "convert", url, str(back))
    assert status == 0
    assert Archive.load(back)["ru-roskomnadzor-twitter"].events == twitter_russia().events
    status, _, err = run(capsys, "convert", str(FOUNDING), url)
    assert "0 new event(s)" in err  # converting again stores nothing


def test_import_stop(capsys, tmp_path):
    out_file = tmp_path / "stop.jsonl"
    status, out, _ = run(capsys, "import", "stop", str(WORKBOOK), "--to", str(out_file), "--json")
    assert status == 0
    report = json.loads(out)
    assert report["read"] == report["imported"] + report["merged"] + report["skipped"] == 1121
    assert len(Archive.load(out_file)) == report["disputes"]
    status, out, _ = run(capsys, "import", "stop", str(WORKBOOK))
    assert "1121 rows read" in out


@pytest.mark.parametrize(
    ("args", "status", "says"),
    [
        (["show", "missing.jsonl"], 4, "missing.jsonl: no such file or directory"),
        (["show", "FOUNDING", "--at", "2021-13-01"], 3, "is not an ISO 8601 date"),
        (["show", "FOUNDING", "--at", "2021-03-10T10:00"], 3, "has a time but no UTC offset"),
        (["show", "FOUNDING", "--dispute", "nope"], 3, "no dispute 'nope'"),
        (["show", "sqlite:///relative-missing-dir/x.db"], 3, "cannot open the SQLite store"),
        (["demo", "--date", "2021-02-30"], 2, "2021-02-30"),
        (["nonsense"], 2, "No such command"),
        (["show"], 2, "Missing argument"),
        (["import", "stop", "missing.xlsx"], 4, "missing.xlsx: no such file or directory"),
    ],
)
def test_errors_are_one_line(capsys, tmp_path, args, status, says):
    args = [str(FOUNDING) if a == "FOUNDING" else a for a in args]
    code, _, err = run(capsys, *args)
    assert code == status
    assert says in one_line_error(err)


def test_a_damaged_file_is_one_line_with_its_line(capsys, tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text(FOUNDING.read_text().replace('"type":"throttle_imposed"', '"type":"x"'))
    code, _, err = run(capsys, "show", str(bad))
    assert code == 3
    assert f"{bad}: line " in one_line_error(err)


def test_the_script_and_the_module(tmp_path):
    """`python -m regtimeline` runs the same command line; exit statuses reach the shell."""
    done = subprocess.run(
        [sys.executable, "-m", "regtimeline", "show", str(tmp_path / "no.jsonl")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 4
    assert done.stderr.strip().startswith("regtimeline: ")
    assert "Traceback" not in done.stderr


def test_importing_regtimeline_does_not_load_the_command_line():
    code = (
        "import sys, regtimeline; print(sorted(m for m in ('typer', 'rich') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_plot_one_dispute_and_many(capsys, tmp_path):
    from regtimeline import plot

    out_png = tmp_path / "case.png"
    status, _, err = run(capsys, "plot", str(FOUNDING), "--until", "2022-06-01", "-o", str(out_png))
    assert status == 0
    assert "1 dispute(s) drawn" in err
    expected = tmp_path / "expected.png"
    plot.save(plot.dispute(twitter_russia(), until="2022-06-01"), expected)
    assert out_png.read_bytes() == expected.read_bytes()
    many = tmp_path / "cases.jsonl"
    Archive(cases()).dump(many)
    status, out, _ = run(capsys, "plot", str(many), "-o", str(tmp_path / "many.svg"), "--json")
    assert status == 0
    assert json.loads(out) == {"written": str(tmp_path / "many.svg"), "disputes": len(cases())}
    assert (tmp_path / "many.svg").read_text().startswith("<?xml")


@pytest.mark.parametrize(
    ("args", "status", "words"),
    [
        (["-o", "x.jpg"], 3, ".png or .svg"),
        (["-o", "x.png", "--until", "tomorrow"], 3, "tomorrow"),
        (["-o", "x.png", "--since", "2022-06-02", "--until", "2022-06-01"], 3, "since"),
        ([], 2, "--output"),
    ],
)
def test_plot_errors_are_one_line(capsys, tmp_path, args, status, words):
    args = [str(tmp_path / a) if a.startswith("x.") else a for a in args]
    got, _, err = run(capsys, "plot", str(FOUNDING), *args)
    assert got == status, err
    assert words in one_line_error(err)


def test_a_file_edited_by_hand_is_refused_then_converted_with_no_verify(capsys, tmp_path):
    edited = tmp_path / "edited.jsonl"
    dump(twitter_russia(), edited)
    lines = edited.read_text().splitlines(keepends=True)
    edited.write_text("".join([*lines[:-2], lines[-1]]))  # the last event removed by hand
    status, _, err = run(capsys, "show", str(edited))
    assert status == 3
    assert "does not match its seal" in one_line_error(err)
    status, _, _ = run(capsys, "validate", str(edited), "--no-verify")
    assert status == 0
    sealed = tmp_path / "sealed.jsonl"
    status, _, _ = run(capsys, "convert", "--no-verify", str(edited), str(sealed))
    assert status == 0
    assert load(sealed) == load(edited, verify=False)
    assert len(load(sealed)) == len(twitter_russia()) - 1
