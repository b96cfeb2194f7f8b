"""JSON Lines files: lossless round trips, atomic writes, and bad files refused by line."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest
from hypothesis import HealthCheck, given, settings

from regtimeline import (
    InvalidTransition,
    InvalidValue,
    SchemaError,
    Statement,
    Timeline,
    dump,
    load,
)
from regtimeline.examples import twitter_russia
from regtimeline.strategies import timelines

GOOD_HEADER = b'{"dispute":{"id":"d","jurisdiction":"RU","platform":"P","regulator":"R","timezone":"Europe/Moscow"},"format":"regtimeline","schema":3}\n'
STATEMENT = b'{"at":"2021-04-01","by":"x","id":"s%d","note":null,"source":null,"text":"t","type":"statement"}\n'


def write(tmp_path, content: bytes):
    path = tmp_path / "case.jsonl"
    path.write_bytes(content)
    return path


class TestRoundTrip:
    def test_founding_case(self, tmp_path):
        """dump then load gives an equal timeline; the file ends with a newline."""
        path = tmp_path / "twitter.jsonl"
        dump(twitter_russia(), path)
        assert load(path) == twitter_russia()
        text = path.read_bytes()
        assert text.endswith(b"\n")
        assert text.count(b"\n") == 1 + len(twitter_russia()) + 1  # header, events, seal

    @settings(max_examples=30, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(timelines(max_size=15))
    def test_generated_timelines(self, tmp_path, timeline):
        """Any valid timeline survives a file round trip exactly."""
        path = tmp_path / "t.jsonl"
        dump(timeline, path)
        again = load(path)
        assert again == timeline
        assert again.history() == timeline.history()

    def test_dump_replaces_and_leaves_no_temporary_file(self, tmp_path):
        """Dumping over an existing file replaces it whole."""
        path = tmp_path / "t.jsonl"
        dump(twitter_russia(), path)
        small = Timeline(
            twitter_russia().dispute, [Statement(at="2021-01-01", id="s", by="x", text="y")]
        )
        dump(small, path)
        assert load(path) == small
        assert [p.name for p in tmp_path.iterdir()] == ["t.jsonl"]


class TestBadFiles:
    @pytest.mark.parametrize(
        ("content", "line", "words"),
        [
            (b"", 1, "empty"),
            (b'{"format":"other"}\n', 1, "header"),
            (b'{"format":"regtimeline","schema":9,"dispute":{}}\n', 1, "newer"),
            (b'{"format":"regtimeline","schema":3}\n', 1, "dispute"),
            (b'{"format":"regtimeline","schema":2,"dispute":{"id":"d"}}\n', 1, "regulator"),
            (GOOD_HEADER + b"{not json}\n", 2, "not valid JSON"),
            (
                GOOD_HEADER + b'{"type":"nuke","at":"2021-01-01","id":"n"}\n',
                2,
                "unknown event type",
            ),
            (
                GOOD_HEADER
                + (STATEMENT % 1)
                + b'{"type":"statement","at":"2021-01-01T10:00","id":"x","by":"x","text":"t"}\n',
                3,
                "$.at",
            ),
            (
                GOOD_HEADER
                + b'{"type":"statement","at":"2021-01-01","id":"x","by":"x","text":"t","extra":1}\n',
                2,
                "extra",
            ),
            (
                GOOD_HEADER + b'{"type":"statement","at":"2021-01-01","id":"x","by":"x"}\n',
                2,
                "text",
            ),
            (
                GOOD_HEADER
                + b'{"type":"fine_imposed","at":"2021-01-01","id":"f","by":"c","currency":"RUB","amount":NaN}\n',
                2,
                "not valid JSON",
            ),
            (GOOD_HEADER + b"[" * 3000 + b"]" * 3000 + b"\n", 2, "JSON"),
            (
                GOOD_HEADER
                + b'{"type":"statement","at":"2021-01-01","id":"\xff","by":"x","text":"t"}\n',
                2,
                "JSON",
            ),
            (GOOD_HEADER + b"[1,2]\n", 2, "JSON object"),
        ],
    )
    def test_malformed_lines_name_file_line_and_field(self, tmp_path, content, line, words):
        """A bad file raises SchemaError naming the file, the line and what is wrong."""
        path = write(tmp_path, content)
        with pytest.raises(SchemaError) as info:
            load(path)
        message = str(info.value)
        assert str(path) in message
        assert f"line {line}:" in message
        assert words in message

    def test_a_line_over_the_limit_is_refused_before_it_is_read_whole(self, tmp_path):
        """Lines over MAX_LINE_BYTES (16 MiB) are refused as soon as the limit is passed:
        reading a 64 MiB line holds no more than the limit in memory."""
        import tracemalloc

        from regtimeline._files import MAX_LINE_BYTES

        huge = (
            b'{"type":"statement","at":"2021-01-01","id":"x","by":"x","text":"'
            + b"a" * (64 << 20)
            + b'"}\n'
        )
        path = write(tmp_path, GOOD_HEADER + huge + STATEMENT % 1)
        del huge
        tracemalloc.start()
        try:
            with pytest.raises(SchemaError, match="line 2: over 16,777,216 bytes long"):
                load(path)
            problems = check(path)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        assert peak < 3 * MAX_LINE_BYTES  # not the 64 MiB line, nor a copy of it
        assert [str(p).split(": ")[1] for p in problems][:1] == ["line 2"]

    def test_a_truncated_last_line_is_reported_as_such(self, tmp_path):
        """A crash while writing leaves a partial last line: the error says so."""
        content = GOOD_HEADER + (STATEMENT % 1) + (STATEMENT % 2)[:30]
        with pytest.raises(SchemaError, match="line 3: truncated"):
            load(write(tmp_path, content))

    def test_a_complete_last_line_without_newline_is_fine(self, tmp_path):
        """A hand-written file may omit the final newline."""
        assert len(load(write(tmp_path, GOOD_HEADER + (STATEMENT % 1).rstrip()))) == 1

    def test_an_invalid_history_names_the_line(self, tmp_path):
        """Well-formed events that break a rule: the rule's error, with file and line."""
        lift = b'{"type":"block_lifted","at":"2021-04-02","id":"u"}\n'
        with pytest.raises(InvalidTransition, match=r"case\.jsonl: line 3: block_lifted 'u'"):
            load(write(tmp_path, GOOD_HEADER + (STATEMENT % 1) + lift))

    def test_known_and_unknown_recorded_times_mix_only_in_order(self, tmp_path):
        """Entries of unknown recorded time come first; one after a known time is refused
        (recorded time never goes back), with its line."""

        def line(i, recorded):
            return (
                b'{"type":"statement","at":"2021-04-0%d","id":"s%d","by":"x","text":"t",'
                % (
                    i,
                    i,
                )
                + b'"recorded_at":%s}\n' % recorded
            )

        known = b'"2021-04-05T10:00:00+03:00"'
        good = GOOD_HEADER + line(1, b"null") + line(2, known) + line(3, known)
        loaded = load(write(tmp_path, good))
        assert loaded.entries[0].recorded_at is None
        assert loaded.entries[1].recorded_at == loaded.entries[2].recorded_at is not None
        with pytest.raises(InvalidTransition, match=r"line 4: .*never goes back"):
            load(
                write(tmp_path, GOOD_HEADER + line(1, b"null") + line(2, known) + line(3, b"null"))
            )

    def test_line_numbers_count_blank_lines(self, tmp_path):
        """Blank lines are skipped, and still counted in the line number an error gives."""
        lift = b'{"type":"block_lifted","at":"2021-04-02","id":"u"}\n'
        content = GOOD_HEADER + b"\n" + (STATEMENT % 1) + b"  \n\n" + lift
        with pytest.raises(InvalidTransition, match=r"case\.jsonl: line 6: block_lifted 'u'"):
            load(write(tmp_path, content))

    @pytest.mark.parametrize(
        ("recorded", "words"),
        [
            (b'"2021-04-02"', "an instant with an offset"),
            (b'"2021-04-02T10:00"', "no UTC offset"),
            (b"17", "an instant with an offset"),
        ],
    )
    def test_a_bad_recorded_time_names_the_line(self, tmp_path, recorded, words):
        """recorded_at must be an instant with an offset, or null."""
        line = b'{"type":"block_lifted","at":"2021-04-02","id":"u","recorded_at":%s}\n' % recorded
        with pytest.raises(SchemaError, match=r"line 2: .*recorded_at") as info:
            load(write(tmp_path, GOOD_HEADER + line))
        assert words in str(info.value)

    def test_nothing_is_partly_loaded(self, tmp_path):
        """A refused file returns nothing: there is no half timeline to use by mistake."""
        path = write(tmp_path, GOOD_HEADER + (STATEMENT % 1) + b"oops\n")
        with pytest.raises(SchemaError):
            load(path)


class TestBadArguments:
    @pytest.mark.parametrize("path", [None, 5, b"case.jsonl", ["case.jsonl"]])
    def test_a_path_is_a_str_or_a_path_like(self, path, tmp_path):
        with pytest.raises(InvalidValue, match="a path is a str"):
            load(path)
        with pytest.raises(InvalidValue, match="a path is a str"):
            dump(twitter_russia(), path)

    def test_an_empty_path_or_a_directory_is_refused_clearly(self, tmp_path, monkeypatch):
        """'' was read as '.': load said "Is a directory: '.'", dump failed renaming its
        temporary file over the directory (naming the temporary file)."""
        monkeypatch.chdir(tmp_path)
        for call in (lambda: load(""), lambda: dump(twitter_russia(), "")):
            with pytest.raises(InvalidValue, match="a path cannot be empty"):
                call()
        with pytest.raises(IsADirectoryError, match="a directory, not a file") as error:
            dump(twitter_russia(), tmp_path)
        assert error.value.filename == str(tmp_path)
        with pytest.raises(FileNotFoundError, match="no such directory") as missing:
            dump(twitter_russia(), tmp_path / "nowhere" / "case.jsonl")
        assert missing.value.filename == str(tmp_path / "nowhere" / "case.jsonl")
        assert not list(tmp_path.iterdir())

    def test_dump_takes_a_timeline(self, tmp_path):
        with pytest.raises(InvalidValue, match="dump takes a Timeline"):
            dump(list(twitter_russia().events), tmp_path / "case.jsonl")
        assert not list(tmp_path.iterdir())


class TestAtomicDump:
    def test_a_dump_killed_midway_leaves_the_old_file(self, tmp_path):
        """SIGKILL during a large dump: the old file is intact (or, if it finished, the new one)."""
        path = tmp_path / "t.jsonl"
        dump(twitter_russia(), path)
        old = path.read_bytes()
        script = (
            "import sys, pathlib\n"
            "from regtimeline import Statement, Timeline, dump\n"
            "from regtimeline.examples import TWITTER_RUSSIA\n"
            "events = [Statement(at='2021-01-01T00:00:00Z', id=f's{i}', by='x', text='y' * 200) for i in range(200_000)]\n"
            "t = Timeline(TWITTER_RUSSIA, events)\n"
            "print('ready', flush=True)\n"
            "while True:\n"
            "    dump(t, pathlib.Path(sys.argv[1]))\n"
        )
        process = subprocess.Popen(
            [sys.executable, "-c", script, str(path)], stdout=subprocess.PIPE, text=True
        )
        assert process.stdout is not None
        assert process.stdout.readline().strip() == "ready"
        time.sleep(0.3)
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
        process.stdout.close()
        content = path.read_bytes()
        assert content == old or content.count(b"\n") == 200_001
        timeline = load(path)
        assert len(timeline) in (len(twitter_russia()), 200_000)
        # the killed writer's temporary file may remain beside it; it is never read
        assert all(p.name.startswith(".t.jsonl.") for p in tmp_path.iterdir() if p != path)


class TestLeftovers:
    def test_a_dead_writers_temporary_file_is_removed_by_the_next_dump(self, tmp_path):
        """#17: a dump killed mid-write leaves ``.<name>.*.tmp``; the next dump to the same
        path removes it, but not one a live writer holds (locked), nor other files."""
        import fcntl

        from regtimeline import dump
        from regtimeline.examples import twitter_russia

        path = tmp_path / "case.jsonl"
        dead = tmp_path / ".case.jsonl.abc123.tmp"
        dead.write_text("half a file")
        live = tmp_path / ".case.jsonl.live99.tmp"
        live.write_text("being written")
        other = tmp_path / ".other.jsonl.abc123.tmp"
        other.write_text("another file's")
        with live.open("rb") as held:
            fcntl.flock(held.fileno(), fcntl.LOCK_EX)
            dump(twitter_russia(), path)
        assert not dead.exists()
        assert live.exists()
        assert other.exists()
        assert sorted(p.name for p in tmp_path.iterdir()) == [
            ".case.jsonl.live99.tmp",
            ".other.jsonl.abc123.tmp",
            "case.jsonl",
        ]


# --- check: every problem, not only the first -------------------------------------------------

from hypothesis import strategies as st  # noqa: E402

from regtimeline import Archive, RegTimelineError, check  # noqa: E402


def _damaged(lines: list[bytes], how: str, i: int, j: int) -> list[bytes]:
    i, j = i % len(lines), j % len(lines)
    if how == "delete":
        return lines[:i] + lines[i + 1 :]
    if how == "repeat":
        return [*lines[: i + 1], lines[i], *lines[i + 1 :]]
    if how == "swap":
        out = list(lines)
        out[i], out[j] = out[j], out[i]
        return out
    if how == "garble":
        return [*lines[:i], b'{"type": "nothing", "at": 3}\n', *lines[i + 1 :]]
    return [*lines[:i], lines[i][: max(1, len(lines[i]) // 2)] + b"\n", *lines[i + 1 :]]


@settings(
    max_examples=max(40, settings.default.max_examples),
    suppress_health_check=[HealthCheck.too_slow],
)
@given(
    st.lists(timelines(), min_size=1, max_size=3, unique_by=lambda t: t.dispute.id),
    st.lists(
        st.tuples(
            st.sampled_from(["delete", "repeat", "swap", "garble", "cut"]),
            st.integers(0, 10**6),
            st.integers(0, 10**6),
        ),
        max_size=3,
    ),
)
def test_check_agrees_with_load_and_goes_on(tmp_path_factory, given_timelines, damage):
    """A file check finds nothing wrong with loads; a file load refuses has check's first
    problem where load's is (same kind, same line); check never raises on a bad file."""
    path = tmp_path_factory.mktemp("check") / "f.jsonl"
    Archive(given_timelines).dump(path)
    lines = path.read_bytes().splitlines(keepends=True)
    for how, i, j in damage:
        lines = _damaged(lines, how, i, j) or lines
    path.write_bytes(b"".join(lines))
    problems = check(path)
    try:
        Archive.load(path)
    except RegTimelineError as exc:
        assert problems, exc
        first = problems[0]
        assert type(first) is type(exc), (first, exc)
        line = lambda e: (str(e).split(": line ", 1)[1:] or [""])[0].split(":")[0]  # noqa: E731
        assert line(first) == line(exc), (first, exc)
    else:
        assert problems == []
    for problem in problems:
        assert str(problem).startswith(str(path))


def test_check_reports_every_problem_of_a_file(tmp_path):
    path = tmp_path / "case.jsonl"
    dump(twitter_russia(), path)
    lines = path.read_bytes().splitlines(keepends=True)
    lines[3] = b"not json\n"
    lines[5] = b'{"type": "statement"}\n'
    lines.insert(-1, lines[2])  # the same event again, before the seal
    path.write_bytes(b"".join(lines))
    problems = {str(p).split(": ")[1]: str(p) for p in check(path)}
    assert {"line 4", "line 6", f"line {len(lines) - 1}", f"line {len(lines)}"} <= set(problems)
    assert "not valid JSON" in problems["line 4"]
    assert "missing" in problems["line 6"]
    assert "does not match its seal" in problems[f"line {len(lines)}"]
    assert "slowdown" in problems[f"line {len(lines) - 1}"]
    unverified = {str(p).split(": ")[1] for p in check(path, verify=False)}
    assert unverified == set(problems) - {f"line {len(lines)}"}
    with pytest.raises(SchemaError, match="line 4"):
        load(path)


# --- the seal: a file cut, or with lines missing, repeated or moved, is refused -------------

from pathlib import Path  # noqa: E402

from regtimeline.examples import brazil_x  # noqa: E402

FIXTURES = Path(__file__).parent / "fixtures"


def _two_disputes(tmp_path) -> tuple[Path, bytes, Archive]:
    archive = Archive([twitter_russia(), brazil_x()])
    path = tmp_path / "two.jsonl"
    archive.dump(path)
    return path, path.read_bytes(), archive


def test_a_file_cut_at_any_byte_is_refused(tmp_path):
    """Every prefix of a two-dispute file, cut at each of its bytes: refused with a
    SchemaError, except the whole file (and none loads as fewer disputes or events)."""
    _path, data, archive = _two_disputes(tmp_path)
    cut = tmp_path / "cut.jsonl"
    for end in range(1, len(data)):
        cut.write_bytes(data[:end])
        with pytest.raises(SchemaError):
            Archive.load(cut)
    cut.write_bytes(data)
    assert Archive.load(cut) == archive


def test_a_line_missing_repeated_or_moved_is_refused(tmp_path):
    _path, data, _archive = _two_disputes(tmp_path)
    lines = data.splitlines(keepends=True)
    damaged = tmp_path / "damaged.jsonl"
    for i in range(len(lines)):
        variants = [lines[:i] + lines[i + 1 :], lines[: i + 1] + lines[i:]]
        if i + 1 < len(lines) and lines[i] != lines[i + 1]:
            variants.append([*lines[:i], lines[i + 1], lines[i], *lines[i + 2 :]])
        for variant in variants:
            damaged.write_bytes(b"".join(variant))
            with pytest.raises(SchemaError):
                Archive.load(damaged)


_MUTATION = st.one_of(
    st.tuples(st.just("flip"), st.integers(0, 10**9), st.integers(1, 255)),
    st.tuples(st.just("insert"), st.integers(0, 10**9), st.binary(min_size=1, max_size=3)),
    st.tuples(st.just("delete"), st.integers(0, 10**9), st.integers(1, 40)),
    st.tuples(st.just("line"), st.integers(0, 10**9), st.sampled_from(["drop", "twice", "blank"])),
)


def _mutate(data: bytes, how: tuple) -> bytes:
    kind, at, what = how
    if kind == "line":
        lines = data.splitlines(keepends=True)
        i = at % len(lines)
        if what == "drop":
            return b"".join(lines[:i] + lines[i + 1 :])
        if what == "twice":
            return b"".join(lines[: i + 1] + lines[i:])
        return b"".join([*lines[:i], b"\n", *lines[i:]])
    i = at % (len(data) + (kind == "insert"))
    if kind == "flip":
        return data[:i] + bytes([data[i] ^ what]) + data[i + 1 :]
    if kind == "insert":
        return data[:i] + what + data[i:]
    return data[:i] + data[i + what :]


@settings(
    max_examples=max(60, settings.default.max_examples),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    deadline=None,
)
@given(
    st.lists(timelines(), min_size=1, max_size=3, unique_by=lambda t: t.dispute.id),
    st.lists(_MUTATION, min_size=1, max_size=4),
)
def test_fuzzed_files_load_exactly_or_are_refused(tmp_path, given_timelines, mutations):
    """Bytes flipped, inserted or deleted, lines dropped, repeated or blanked: loading gives
    a RegTimelineError or exactly the record written (every entry, with its recorded time)
    - never another history, and never another exception."""
    archive = Archive(given_timelines)
    path = tmp_path / "fuzz.jsonl"
    archive.dump(path)
    data = path.read_bytes()
    for how in mutations:
        data = _mutate(data, how) or data
    path.write_bytes(data)
    try:
        loaded = Archive.load(path)
    except RegTimelineError:
        return
    assert [t.entries for t in loaded] == [t.entries for t in archive]


def test_files_written_before_seals_still_load():
    for name in ("schema-1.jsonl", "schema-3.jsonl", "schema-4-imprecise.jsonl"):
        assert len(load(FIXTURES / name)) > 0


def test_a_hand_edited_file_is_read_with_verify_false_and_sealed_again(tmp_path):
    path = tmp_path / "case.jsonl"
    dump(twitter_russia(), path)
    lines = path.read_bytes().splitlines(keepends=True)
    path.write_bytes(b"".join([*lines[:-2], lines[-1]]))  # the last event removed
    with pytest.raises(SchemaError, match="does not match its seal"):
        load(path)
    edited = load(path, verify=False)
    assert edited.events == twitter_russia().events[:-1]
    dump(edited, path)
    assert load(path) == edited
    path.write_bytes(b"".join(lines[:-1]))  # no seal at all
    with pytest.raises(SchemaError, match="line 1: the part this header begins has no seal"):
        load(path)
    assert load(path, verify=False) == twitter_russia()


@pytest.mark.parametrize(
    ("seal", "words"),
    [
        (b'{"seal":{"entries":10}}\n', "alone"),
        (b'{"seal":{"entries":10,"part":2,"parts":1,"sha256":"00"}}\n', "1 <= part <= parts"),
        (b'{"seal":{"entries":10,"part":1,"parts":1,"sha256":"00"},"x":1}\n', "alone"),
    ],
)
def test_a_malformed_seal_is_refused(tmp_path, seal, words):
    path = tmp_path / "case.jsonl"
    dump(twitter_russia(), path)
    lines = path.read_bytes().splitlines(keepends=True)
    path.write_bytes(b"".join([*lines[:-1], seal]))
    with pytest.raises(SchemaError, match=words):
        load(path)


def test_a_line_after_the_seal_and_a_second_seal_are_refused(tmp_path):
    path = tmp_path / "case.jsonl"
    dump(twitter_russia(), path)
    lines = path.read_bytes().splitlines(keepends=True)
    path.write_bytes(b"".join([*lines, lines[1]]))
    with pytest.raises(SchemaError, match=r"line 13: a line after the seal \(line 12\)"):
        load(path)
    path.write_bytes(b"".join([*lines, lines[-1]]))
    with pytest.raises(SchemaError, match=r"line 13: a second seal"):
        load(path)


def test_a_file_of_several_disputes_cut_after_a_part_is_refused(tmp_path):
    path, data, _ = _two_disputes(tmp_path)
    first_part_end = data.index(b'{"seal"') + data[data.index(b'{"seal"') :].index(b"\n") + 1
    path.write_bytes(data[:first_part_end])
    with pytest.raises(SchemaError, match="ends after part 1 of 2"):
        Archive.load(path)
    assert check(path)[-1].args[0].endswith("cut short, or parts were removed")
