"""mkdocs hook: diagrams and tables drawn from the code at build time, never by hand.

A page writes a marker such as ``<!-- diagram: state-machine -->``; the build replaces it
with what `regtimeline.render` makes from the rules the timeline enforces.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from regtimeline._jsonschema import json_schema
from regtimeline.examples import twitter_russia
from regtimeline.render import gantt, rules_table, state_diagram


def _mermaid(source: str) -> str:
    return f"```mermaid\n{source}\n```"


def _json_schema() -> str:
    return "```json\n" + json.dumps(json_schema(), indent=2, sort_keys=True) + "\n```"


MARKERS: dict[str, Callable[[], str]] = {
    "<!-- schema: json -->": _json_schema,
    "<!-- diagram: state-machine -->": lambda: _mermaid(state_diagram()),
    "<!-- diagram: founding-case -->": lambda: _mermaid(
        gantt(twitter_russia(), until="2022-06-01")
    ),
    "<!-- table: rules -->": rules_table,
}


def on_page_markdown(markdown: str, **_: Any) -> str:
    """Replace each marker in a page by what it stands for."""
    for marker, make in MARKERS.items():
        if marker in markdown:
            markdown = markdown.replace(marker, make())
    return markdown
