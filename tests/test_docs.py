"""The documentation site builds strictly, with its diagrams and its API reference."""

from __future__ import annotations

import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    out = tmp_path_factory.mktemp("site")
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={"PATH": "", "NO_MKDOCS_2_WARNING": "1", "PYTHONPATH": str(ROOT)},
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return out


class TestSite:
    def test_tutorial_has_its_diagram(self, site):
        """The tutorial carries the generated gantt chart as a Mermaid block."""
        html = (site / "tutorial" / "index.html").read_text()
        assert 'class="mermaid"' in html
        assert "gantt" in html
        assert "THROTTLED :active" in html

    def test_concepts_has_the_state_machine_and_the_rules(self, site):
        """The concepts page carries the state diagram and the rules table, both generated."""
        html = (site / "concepts" / "index.html").read_text()
        assert "stateDiagram-v2" in html
        assert "ThrottleLifted" in html
        assert "<!-- diagram:" not in html

    def test_api_reference_lists_status_at(self, site):
        """The API page documents Timeline.status_at from its docstring."""
        html = (site / "reference" / "index.html").read_text()
        assert 'id="regtimeline.Timeline.status_at"' in html
        assert "The status at an instant" in html

    def test_format_page_shows_the_json_schema(self, site):
        """The JSON format page carries the generated JSON Schema."""
        html = (site / "format" / "index.html").read_text()
        assert "json-schema.org/draft/2020-12/schema" in html
        assert "<!-- schema:" not in html

    def test_every_page_is_built(self, site):
        """Home, tutorial, concepts, how-to, reference, changelog."""
        for page in [
            "index.html",
            "tutorial/index.html",
            "concepts/index.html",
            "how-to/property-tests/index.html",
            "reference/index.html",
            "changelog/index.html",
        ]:
            assert (site / page).is_file(), page


def test_the_format_pages_example_file_loads(tmp_path):
    """The example file shown on the format page is a valid file of the current schema."""
    from regtimeline import load

    text = (ROOT / "docs" / "format.md").read_text()
    example = text.split("```text\n", 1)[1].split("```", 1)[0]
    path = tmp_path / "example.jsonl"
    path.write_text(example)
    timeline = load(path)
    assert [e.event.kind for e in timeline.entries] == [
        "throttle_imposed",
        "warning_issued",
        "event_corrected",
    ]
    assert timeline.status_at("2021-04-16").deadlines.get("block-threat").state.name == "PENDING"
    assert (
        timeline.status_at("2021-04-16", as_of="2021-03-18")
        .deadlines.get("block-threat")
        .state.name
        == "OVERDUE"
    )
