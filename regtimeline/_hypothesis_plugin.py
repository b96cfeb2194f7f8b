"""Hypothesis plugin: `st.from_type` knows regtimeline's types once both are installed.

Hypothesis runs `_hypothesis_setup_hook` through the ``hypothesis`` entry point group when it
is imported (set HYPOTHESIS_NO_PLUGINS=1 to turn that off). regtimeline itself never imports
Hypothesis.
"""

from __future__ import annotations


def _hypothesis_setup_hook() -> None:
    from hypothesis import strategies as st  # noqa: PLC0415 - only when Hypothesis loads us

    from . import strategies  # noqa: PLC0415
    from ._dispute import Dispute  # noqa: PLC0415
    from ._events import EVENT_TYPES, Event  # noqa: PLC0415
    from ._scope import Scope  # noqa: PLC0415
    from ._timeline import Timeline  # noqa: PLC0415

    st.register_type_strategy(Dispute, strategies.disputes())
    st.register_type_strategy(Scope, strategies.scopes())
    st.register_type_strategy(Timeline, strategies.timelines())
    st.register_type_strategy(Event, strategies.events())
    for kind in EVENT_TYPES:
        st.register_type_strategy(kind, strategies.events([kind]))
