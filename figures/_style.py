"""One look for every figure: sizes, fonts, colours, the boundary line, and saving."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only; no screen needed

import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

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


def new_figure(
    ncols: int = 1, *, width: float = 4.2, height: float = 3.2
) -> tuple[Figure, list[Axes]]:
    """A figure with ``ncols`` panels side by side."""
    fig, axes = plt.subplots(1, ncols, figsize=(width * ncols, height), squeeze=False)
    return fig, list(axes[0])


def boundary(
    ax: Axes, *, vertical: bool = True, at: float = 1.0, label: str = "Delta + gamma = 1"
) -> None:
    """The line where the sufficient condition stops holding."""
    draw = ax.axvline if vertical else ax.axhline
    draw(at, color="black", linestyle="--", linewidth=1.0, label=label)


def save(
    fig: Figure, out: Path, name: str, *, formats: tuple[str, ...] = ("png", "pdf"), dpi: int = 150
) -> list[Path]:
    """Write ``out/name.<format>`` for each format, each atomically; close the figure."""
    out.mkdir(parents=True, exist_ok=True)
    try:
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
