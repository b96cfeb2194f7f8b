"""Hypothesis plugin: `st.from_type` knows regtimeline's types once both are installed.

Hypothesis runs `_hypothesis_setup_hook` through the ``hypothesis`` entry point group when it
is imported (set HYPOTHESIS_NO_PLUGINS=1 to turn that off). regtimeline itself never imports
Hypothesis. The strategies are looked up when first drawn, not here: this hook may run while
`regtimeline.strategies` is itself importing Hypothesis.
"""

from __future__ import annotations

import importlib
from typing import Any


def _hypothesis_setup_hook() -> None:
    from hypothesis import strategies as st  # noqa: PLC0415 - only when Hypothesis loads us

    from ._dispute import Dispute  # noqa: PLC0415
    from ._events import EVENT_TYPES, Event  # noqa: PLC0415
    from ._scope import Scope  # noqa: PLC0415
    from ._timeline import Timeline  # noqa: PLC0415
    from ._window import Window  # noqa: PLC0415

    def later(name: str, *args: Any) -> Any:
        def make() -> Any:
            return getattr(importlib.import_module("regtimeline.strategies"), name)(*args)

        return st.deferred(make)

    st.register_type_strategy(Dispute, later("disputes"))
    st.register_type_strategy(Scope, later("scopes"))
    st.register_type_strategy(Window, later("windows"))
    st.register_type_strategy(Timeline, later("timelines"))
    st.register_type_strategy(Event, later("events"))
    for kind in EVENT_TYPES:
        st.register_type_strategy(kind, later("events", [kind]))
