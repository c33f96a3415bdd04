"""Figures as named functions of a saved report: ``draw(report) -> Figure``.

A figure reads measurements through the result schema (``verify.schema``): typed records,
never string keys, so a renamed field fails loudly instead of drawing something else.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from matplotlib.figure import Figure

from verify.schema import Report

Claims = Report


@dataclass(frozen=True)
class FigureSpec:
    """A figure: its name, what it shows, the claim ids it reads and how it is drawn."""

    name: str
    description: str
    needs: tuple[str, ...]
    draw: Callable[[Claims], Figure]


_FIGURES: dict[str, FigureSpec] = {}


def figure(
    name: str, description: str, needs: tuple[str, ...]
) -> Callable[[Callable[[Claims], Figure]], Callable[[Claims], Figure]]:
    """Register ``draw`` as figure ``name``, drawn from the claims ``needs``."""

    def register(draw: Callable[[Claims], Figure]) -> Callable[[Claims], Figure]:
        _FIGURES[name] = FigureSpec(name, description, needs, draw)
        return draw

    return register


def all_figures() -> list[FigureSpec]:
    """Every figure, in registration order."""
    import figures._certificates  # noqa: F401  (registers the figures)
    import figures._plots  # noqa: F401

    return list(_FIGURES.values())
