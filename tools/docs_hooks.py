"""mkdocs hook: pictures, diagrams and tables drawn from the code at build time, never by hand.

A page writes a marker such as ``<!-- diagram: state-machine -->``; the build replaces it
with what the library makes from the rules the timeline enforces (`regtimeline.plot`,
`regtimeline.render`). Pictures are files of the site: nothing is fetched from the network
when a page is shown. This file lives outside ``docs/`` so that it is not served.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from mkdocs.structure.files import File, Files

from regtimeline import plot
from regtimeline._jsonschema import json_schema
from regtimeline.render import rules_table


def _json_schema() -> str:
    return "```json\n" + json.dumps(json_schema(), indent=2, sort_keys=True) + "\n```"


MARKERS: dict[str, Callable[[], str]] = {
    "<!-- schema: json -->": _json_schema,
    "<!-- diagram: state-machine -->": lambda: (
        "![The state machine: for each phase, and each deadline state, the events (or the "
        "passing of time) that move it to another](img/state-machine.png)"
    ),
    "<!-- diagram: founding-case -->": lambda: (
        "![The founding case drawn by regtimeline.plot: Twitter throttled in Russia from "
        "10 March 2021 (photos and videos, narrowed to mobile networks on 17 May 2021), the "
        "block threat's deadline extended from 15 April to 15 May, and the block from "
        "4 March 2022](img/founding-case.png)"
    ),
    "<!-- table: rules -->": rules_table,
}


def _png(figure: Any) -> bytes:
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "picture.png"
        plot.save(figure, path, dpi=110)
        return path.read_bytes()


def on_files(files: Files, config: Any) -> Files:
    """Add the pictures drawn at build time to the site's files."""
    files.append(
        File.generated(config, "img/state-machine.png", content=_png(plot.state_machine()))
    )
    return files


def on_page_markdown(markdown: str, **_: Any) -> str:
    """Replace each marker in a page by what it stands for."""
    for marker, make in MARKERS.items():
        if marker in markdown:
            markdown = markdown.replace(marker, make())
    return markdown
