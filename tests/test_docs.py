"""The documentation site builds strictly, with its diagrams and its API reference."""

from __future__ import annotations

import pathlib
import re
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
    def test_tutorial_and_home_show_the_founding_case(self, site):
        """The picture drawn by regtimeline.plot, a file of the site."""
        for page in ("tutorial/index.html", "index.html"):
            html = (site / page).read_text()
            assert re.search(r'<img [^>]*src="(\.\./)?img/founding-case\.png"', html), page
        assert (site / "img" / "founding-case.png").read_bytes()[:4] == b"\x89PNG"

    def test_concepts_has_the_state_machine_and_the_rules(self, site):
        """The concepts page carries the state machine's picture (drawn at build time from
        the rules) and the rules table."""
        html = (site / "concepts" / "index.html").read_text()
        assert re.search(r'<img [^>]*src="\.\./img/state-machine\.png"', html)
        assert (site / "img" / "state-machine.png").stat().st_size > 10_000
        assert "ThrottleLifted" in html
        assert "<!-- diagram:" not in html

    def test_nothing_comes_from_the_network_and_no_diagram_is_left_raw(self, site):
        """Offline, every page renders whole: no script, stylesheet or font from elsewhere,
        no Mermaid source waiting for a script from a CDN."""
        pages = sorted(site.rglob("*.html"))
        assert len(pages) > 10
        for page in pages:
            html = page.read_text()
            assert not re.search(r'<script[^>]+src="(https?:)?//', html), page
            for link in re.findall(r"<link [^>]*>", html):
                if 'rel="canonical"' not in link:
                    assert not re.search(r'href="(https?:)?//', link), (page, link)
            assert 'class="mermaid"' not in html, page
            assert "```mermaid" not in html, page
            assert "<!-- diagram:" not in html, page

    def test_only_the_docs_are_served(self, site):
        """No Python source, bytecode or hook of the build among the site's files."""
        served = [p.relative_to(site) for p in site.rglob("*") if p.is_file()]
        assert not [p for p in served if p.suffix in (".py", ".pyc")]
        assert not [p for p in served if "hooks" in p.parts or "__pycache__" in p.parts]

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
            "guarantees/index.html",
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
    timeline = load(path)  # the seal is checked
    from regtimeline.serialization import SCHEMA_VERSION

    assert f'"schema":{SCHEMA_VERSION}}}' in example.splitlines()[0]
    assert example.splitlines()[-1].startswith('{"seal":')
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


def test_the_kept_pictures_are_what_the_library_draws_now(tmp_path):
    """docs/img holds pictures the README shows (so they are files): each looks like what
    tools/make_pictures.py draws today (the same size; pixels alike, allowing for another
    matplotlib's anti-aliasing)."""
    import importlib.util

    import numpy as np
    from matplotlib.image import imread

    from regtimeline import plot

    spec = importlib.util.spec_from_file_location(
        "make_pictures", ROOT / "tools" / "make_pictures.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for name, draw in module.PICTURES.items():
        fresh = tmp_path / name
        plot.save(draw(), fresh, dpi=110)
        kept, now = imread(ROOT / "docs" / "img" / name), imread(fresh)
        assert kept.shape == now.shape, f"{name}: run python tools/make_pictures.py"
        differ = float((np.abs(kept - now).max(axis=2) > 0.1).mean())  # the share of pixels
        assert differ < 0.002, f"{name}: run python tools/make_pictures.py"
    readme = (ROOT / "README.md").read_text()
    assert "](docs/img/founding-case.png)" in readme
