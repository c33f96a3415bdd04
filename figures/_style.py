"""One look for every figure: sizes, fonts, colours, the boundary line, and saving."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import matplotlib
import numpy as np

matplotlib.use("Agg")  # files only; no screen needed

import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.artist import Artist  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.container import Container  # noqa: E402
from matplotlib.figure import Figure, SubFigure  # noqa: E402
from matplotlib.legend import Legend  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402

#: Colours by learner family, the same in every figure.
COLORS = {
    "set_risk": "#1b6ca8",
    "cc": "#d1495b",
    "distill": "#2e933c",
    "hard": "#8a5a44",
    "truth": "#555555",
    "teacher": "#e8a33d",
}
LABELS = {
    "set_risk": "top-k risk minimizer (Theorem C)",
    "cc": "CC (partial-label) student",
    "distill": "distillation student",
    "hard": "hard-label student",
    "truth": "student of the true labels",
    "teacher": "teacher",
}

plt.rcParams.update(
    {
        "figure.dpi": 110,
        "savefig.dpi": 150,
        "font.size": 9,
        "axes.titlesize": 10,
        "axes.labelsize": 9,
        "legend.fontsize": 8,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.grid": True,
        "grid.alpha": 0.25,
    }
)


#: The teachers of the trained claims, as figures name them.
TEACHERS = {
    "sbt": "skillful-but-bad",
    "partial": "partial labels",
    "confuser": "fixed confuser",
    "noise": "additive noise",
}

#: Markers in the order curves take them: a curve hidden under another keeps its own.
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*", "<", ">", "h", "p")


def new_figure(
    ncols: int = 1, *, width: float = 4.2, height: float = 3.2
) -> tuple[Figure, list[Axes]]:
    """A figure with ``ncols`` panels side by side, laid out so that labels, titles and
    legends placed outside the panels stay inside the figure and apart."""
    fig, axes = plt.subplots(
        1, ncols, figsize=(width * ncols, height), squeeze=False, layout="constrained"
    )
    return fig, list(axes[0])


def side_by_side(fig: Figure, **kwargs: Any) -> tuple[SubFigure, SubFigure]:
    """Two subfigures of ``fig``, left and right, each with its own panels and legend."""
    pair = fig.subfigures(1, 2, **kwargs)
    assert isinstance(pair, np.ndarray)
    return pair[0], pair[1]


def interleaved_dashes(i: int, n: int) -> tuple[float, tuple[float, float]]:
    """Line ``i`` of ``n`` dashed lines that may coincide: the dashes of the ``n`` lines
    fall in turn, so where they lie on top of each other every colour still shows."""
    on = 3.0
    return (on * i, (on, on * (max(n, 2) - 1)))


def legend_below(
    owner: Figure | SubFigure, *, ncol: int = 1, fontsize: float = 7, title: str | None = None
) -> Legend:
    """One legend for the panels of ``owner``, under them: it covers no data, and a label
    two panels share is listed once."""
    handles: dict[str, Artist] = {}
    for ax in owner.axes:
        for handle, label in zip(*ax.get_legend_handles_labels(), strict=True):
            handles.setdefault(label, handle)
    # matplotlib lists error-bar curves after plain lines; they are the data, so first
    handles = dict(sorted(handles.items(), key=lambda kv: not isinstance(kv[1], Container)))
    return owner.legend(
        list(handles.values()),
        list(handles),
        loc="outside lower center",
        ncol=ncol,
        fontsize=fontsize,
        title=title,
        title_fontsize=fontsize,
    )


def boundary(
    ax: Axes, *, vertical: bool = True, at: float = 1.0, label: str = "Delta + gamma = 1"
) -> Line2D:
    """The line where the sufficient condition stops holding."""
    draw = ax.axvline if vertical else ax.axhline
    return draw(at, color="black", linestyle="--", linewidth=1.0, label=label, gid="boundary")


def save(
    fig: Figure, out: Path, name: str, *, formats: tuple[str, ...] = ("png", "pdf"), dpi: int = 150
) -> list[Path]:
    """Write ``out/name.<format>`` for each format, each atomically; close the figure."""
    out.mkdir(parents=True, exist_ok=True)
    try:
        if fig.get_layout_engine() is None:  # a figure laid out already keeps its layout
            fig.tight_layout()
        paths = [out / f"{name}.{fmt}" for fmt in formats]
        for path, fmt in zip(paths, formats, strict=True):
            fd, tmp = tempfile.mkstemp(dir=out, prefix=f".{path.name}.", suffix=".tmp")
            os.close(fd)
            try:
                fig.savefig(tmp, dpi=dpi, format=fmt)
                os.chmod(tmp, 0o644)  # mkstemp's 0600 would hide figures from others
                os.replace(tmp, path)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
    finally:
        plt.close(fig)
    return paths


def supported_formats() -> set[str]:
    """File types ``save`` can write (matplotlib's)."""
    fig = plt.figure()
    try:
        return set(fig.canvas.get_supported_filetypes())
    finally:
        plt.close(fig)
