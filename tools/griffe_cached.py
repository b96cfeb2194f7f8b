"""A griffe extension for the API reference: `Status`'s cached attributes are attributes.

`regtimeline._status` computes some of a status's attributes on first read with its own
``@cached`` (a `functools.cached_property` without the lock); griffe knows only the
standard library's decorators and would show them as methods (``phase()``). This turns
each function decorated with ``@cached`` into the attribute it is, with its docstring and
type, labelled ``property``.
"""

from __future__ import annotations

from typing import Any

import griffe


class CachedAsAttribute(griffe.Extension):
    """``@cached`` methods are attributes."""

    def on_class_members(self, *, cls: griffe.Class, **_: Any) -> None:
        """Replace each ``@cached`` function of a class with an attribute."""
        for name, member in list(cls.members.items()):
            if not isinstance(member, griffe.Function):
                continue
            if not any(str(d.value) == "cached" for d in member.decorators):
                continue
            attribute = griffe.Attribute(
                name,
                lineno=member.lineno,
                endlineno=member.endlineno,
                docstring=member.docstring,
                annotation=member.returns,
            )
            attribute.labels |= {"property", "cached"}
            cls.set_member(name, attribute)
