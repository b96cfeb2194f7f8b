"""`Scope`: which networks and services a throttle or block covers."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

import attrs

from ._fields import names, with_context
from .errors import InvalidValue

__all__ = ["NETWORKS", "Scope"]

#: The networks a scope can name.
NETWORKS: Final = frozenset({"mobile", "fixed"})


def _networks(value: Iterable[str] | str) -> frozenset[str]:
    chosen = names(value, "networks")
    if not chosen or chosen - NETWORKS:
        msg = f"networks must be a non-empty subset of {sorted(NETWORKS)}, got {sorted(chosen)}"
        raise InvalidValue(msg)
    return chosen


def _services(value: Iterable[str] | str | None) -> frozenset[str] | None:
    if value is None:
        return None
    chosen = names(value, "services")
    if not chosen:
        msg = "services must name at least one service; leave it out (None) for all services"
        raise InvalidValue(msg)
    return chosen


@with_context
@attrs.frozen(kw_only=True)
class Scope:
    """What a throttle or block covers: networks and services.

    Attributes:
        networks: a non-empty subset of ``{"mobile", "fixed"}``; default both.
        services: named services such as ``{"photos", "videos"}``; default `None`, all
            services. Any iterable of strings is accepted and held as a frozenset; a single
            string names one.

    In a `ThrottleLifted`, a dimension left at its default means "whatever the throttle
    covers".

    Examples:
        >>> Scope(networks={"fixed"}).networks == frozenset({"fixed"})
        True
        >>> Scope(services=["photos", "videos"]).covers_all_services
        False
    """

    networks: frozenset[str] = attrs.field(default=NETWORKS, converter=_networks)
    services: frozenset[str] | None = attrs.field(default=None, converter=_services)

    @property
    def covers_all_networks(self) -> bool:
        """Whether every network is covered."""
        return self.networks == NETWORKS

    @property
    def covers_all_services(self) -> bool:
        """Whether every service is covered (`services` is None)."""
        return self.services is None

    def __str__(self) -> str:
        nets = "all networks" if self.covers_all_networks else "+".join(sorted(self.networks))
        services = "all services" if self.services is None else "+".join(sorted(self.services))
        return f"{services} on {nets}"


#: The scope that covers everything.
EVERYTHING: Final = Scope()
