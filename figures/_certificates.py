"""The certificates figure: a student's true error, the bounds computed from its teacher's
labels alone, and Theorem L's bound on the same students, against ``n``.

Artists that carry a measurement have a ``gid`` (``"true:sbt"``, ``"c2:sbt"``, ...), so
what the figure shows can be read back and compared with the report.
"""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import NullFormatter

from figures._registry import Claims, figure
from figures._style import MARKERS, TEACHERS, legend_below, new_figure
from verify.schema import Certificates, Coverage

#: What each curve is, in the legend.
CURVES = {
    "true": "true error (held out)",
    "c2": "C2 from teacher labels (known Delta, gamma)",
    "c1": "C1 from teacher labels (known gamma)",
    "theorem_l": "Theorem L's bound",
}
#: Colour and line style of each curve.
STYLE = {
    "true": ("black", "-"),
    "c2": ("tab:blue", "-"),
    "c1": ("tab:orange", "--"),
    "theorem_l": ("tab:red", "-."),
}


@figure(
    "certificates",
    "true error of students against n, with the certificates C1 and C2 computed from their "
    "teacher's labels alone, and Theorem L's bound",
    ("certificate/coverage", "certificate/tightness"),
)
def certificates(claims: Claims) -> Figure:
    """One panel per teacher: means over seeds against ``n``, log-log."""
    m = claims.measurement("certificate/tightness", Certificates)
    coverage = claims.measurement("certificate/coverage", Coverage)
    fig, axes = new_figure(len(m.teachers), width=3.2, height=3.4)
    for ax, teacher in zip(axes, m.teachers, strict=True):
        cases = [c for c in m.cases if c.teacher == teacher]
        n = np.array([c.n for c in cases], dtype=float)
        values: dict[str, list[float]] = {
            "true": [float(np.mean(c.true_error)) for c in cases],
            "c2": [float(np.mean(c.c2)) for c in cases],
            "c1": [float(np.mean(c.c1)) for c in cases],
            "theorem_l": [c.theorem_l for c in cases],
        }
        for i, (key, ys) in enumerate(values.items()):
            ax.plot(
                n,
                ys,
                marker=MARKERS[i],
                markersize=4,
                label=CURVES[key],
                gid=f"{key}:{teacher}",
                color=STYLE[key][0],
                linestyle=STYLE[key][1],
            )
        ax.axhline(1.0, color="grey", linewidth=0.8, gid="vacuous")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xticks(n, [f"{int(v)}" for v in n])
        ax.xaxis.set_minor_formatter(NullFormatter())
        ax.set_title(TEACHERS.get(teacher, teacher), fontsize=9)
        ax.set_xlabel("n (training and certification inputs)")
        # each panel has its own scale, so each names it
        ax.set_ylabel("error R(h) and its bounds")
    lowest = min(c.covered["c2"] / c.trials for c in coverage.students.cases)
    fig.suptitle(
        f"Certificates at confidence 0.95, means over seeds (grey: 1, a vacuous bound); "
        f"lowest C2 coverage "
        f"{lowest:.3f} over {len(coverage.students.cases)} cases",
        fontsize=9,
    )
    legend_below(fig, ncol=3)
    return fig
