"""The figures. Each reads the measurements of saved claims and nothing else.

Artists that carry a measurement have a ``gid`` (``"students:sbt"``, ``"rho:0.5"``, ...), so
what a figure shows can be read back from it and compared with the report.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
from matplotlib import colormaps
from matplotlib.axes import Axes
from matplotlib.colors import Normalize
from matplotlib.figure import Figure
from matplotlib.patheffects import withStroke
from matplotlib.ticker import MaxNLocator, NullFormatter, ScalarFormatter

from figures._registry import Claims, figure
from figures._style import (
    COLORS,
    LABELS,
    MARKERS,
    TEACHERS,
    boundary,
    interleaved_dashes,
    legend_below,
    new_figure,
    side_by_side,
)
from verify.schema import (
    Collapse,
    Consistency,
    FloorsByWidth,
    Headline,
    LearningCurves,
    NoiseSweep,
    PartialGrid,
    Phase,
    SelfTraining,
)

#: The phase diagram compares population minimizers, not trained students.
ORACLES = {
    "set_risk": "top-k risk minimizer (Theorem C)",
    "cc": "CC surrogate minimizer",
    "distill": "distillation minimizer argmax E[d|x]",
}
SHORT = {"set_risk": "top-k", "cc": "CC", "distill": "distillation"}
LEARNERS = {"cc": "CC", "distill": "distillation"}
#: Where a log axis draws a value of 0 (a floor can be exactly 0).
LOG_FLOOR = 1e-4
#: The tolerance the floor claims judge against.
TOLERANCE = 0.005
MARGIN = "(1 - Delta_max - gamma)"


def dodge(i: int, n: int) -> float:
    """The factor that moves curve ``i`` of ``n`` sideways on a log axis: curves and error
    bars of different teachers that lie on each other stay apart (3.5% per step)."""
    return float(10 ** (0.015 * (i - (n - 1) / 2)))


def shift(i: int, n: int) -> float:
    """How far curve ``i`` of ``n`` moves sideways on a categorical axis, for the same
    reason (up to 0.15 of the distance between categories)."""
    return 0.3 * (i - (n - 1) / 2) / max(n - 1, 1)


def _log_ticks(ax: Axes, values: list[float]) -> None:
    """A log axis labelled with a few of the plotted values in plain numbers."""
    ax.set_xscale("log")
    ticks = values[:: max(1, len(values) // 5)]
    ax.set_xticks(ticks, [f"{v:g}" for v in ticks])
    ax.xaxis.set_minor_formatter(NullFormatter())


def _share(consistent: list[int], decided: list[int]) -> np.ndarray:
    """Consistent over decided worlds per bin; NaN (a gap) where none was decided."""
    n = np.asarray(decided, float)
    return np.divide(consistent, n, out=np.full(len(n), np.nan), where=n > 0)


@figure(
    "phase-diagram",
    "consistency of each learner family against Delta_max + gamma",
    ("conditions/phase",),
)
def phase_diagram(claims: Claims) -> Figure:
    m = claims.measurement("conditions/phase", Phase)
    edges = np.asarray(m.edges)
    centres = (edges[:-1] + edges[1:]) / 2
    fig, (ax,) = new_figure(width=5.8, height=4.6)
    shares = {family: _share(c.consistent, c.decided) for family, c in m.families.items()}
    for i, (family, share) in enumerate(shares.items()):
        same = []
        for earlier in list(shares)[:i]:
            both = np.isfinite(share) & np.isfinite(shares[earlier])
            equal = both & np.isclose(share, shares[earlier], rtol=0, atol=1e-12)
            if 2 * equal.sum() >= both.sum() > 0:  # mostly hidden under this one
                same.append(f"{SHORT.get(earlier, earlier)} in {equal.sum()} of {both.sum()} bins")
        note = f"\n(on top of {'; '.join(same)}: the same share)" if same else ""
        # Each later curve is thinner, with smaller markers, and on top: where it coincides
        # with an earlier one, that one's wider line and hollow markers still show around it.
        ax.plot(
            centres,
            share,
            marker=MARKERS[i % len(MARKERS)],
            ms=max(11 - 4 * i, 3.5),
            mfc="none" if i == 0 else None,
            mew=1.5,
            linewidth=max(5.5 - 2.5 * i, 1.0),
            alpha=0.6 if i == 0 else 1.0,
            zorder=2 + i,
            color=COLORS.get(family),
            label=ORACLES.get(family, family) + note,
            gid=f"phase:{family}",
        )
    boundary(ax, label="Delta_max + gamma = 1")
    ax.set_xlabel(f"Delta_max + gamma (bins of width {edges[1] - edges[0]:.2g})")
    ax.set_ylabel("share of decided worlds where the\nminimizer is the Bayes classifier")
    ax.set_ylim(-0.04, 1.04)
    ax.set_title(f"Where the condition sits ({m.worlds} random finite worlds)")
    legend_below(fig)
    return fig


@figure(
    "consistency-curves",
    "students' disagreement with the Bayes classifier against n, per teacher",
    (
        "consistency/sbt/cc",
        "consistency/partial/cc",
        "consistency/confuser/cc",
        "consistency/noise/cc",
        "consistency/sbt/distill",
        "consistency/partial/distill",
        "consistency/confuser/distill",
        "consistency/noise/distill",
    ),
)
def consistency_curves(claims: Claims) -> Figure:
    fig, axes = new_figure(2, width=4.2, height=4.2)
    clipped = False
    for ax, learner in zip(axes, ("cc", "distill"), strict=True):
        for i, (teacher, name) in enumerate(TEACHERS.items()):
            grid = claims.measurement(f"consistency/{teacher}/{learner}", Consistency).grid
            d = grid.disagreement_with_bayes
            bars = ax.errorbar(
                np.asarray(grid.sizes) * dodge(i, len(TEACHERS)),
                d.mean,
                yerr=[np.subtract(d.mean, d.ci_low), np.subtract(d.ci_high, d.mean)],
                marker=MARKERS[i],
                ms=4,
                capsize=2,
                label=name,
            )
            bars.lines[0].set_gid(f"students:{teacher}")
            clipped |= grid.floor.value < LOG_FLOOR
            # the linear class's floor: where these students level off, whatever n; floors
            # of different teachers can coincide, hence the interleaved dashes
            ax.axhline(
                max(grid.floor.value, LOG_FLOOR),
                color=bars.lines[0].get_color(),
                linestyle=interleaved_dashes(i, len(TEACHERS)),
                linewidth=1.2,
                gid=f"floor:{teacher}",
            )
        # every consistency claim carries the same true-label ceiling (one shared cell)
        ceiling = claims.measurement(f"consistency/sbt/{learner}", Consistency).ceiling
        ax.plot(
            ceiling.sizes,
            1 - np.asarray(ceiling.accuracy),
            color=COLORS["truth"],
            linestyle=":",
            label="students of the true labels",
            gid="truth",
        )
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("training set size n")
        ax.set_ylabel("disagreement with the Bayes classifier")
        ax.set_title(f"{LABELS[learner]}s, by teacher", fontsize=9)
    axes[0].plot(
        [],
        [],
        color="grey",
        linestyle="--",
        label="the linear class's floor (dashed, in its teacher's colour"
        + (f"; 0 drawn at {LOG_FLOOR:g})" if clipped else ")"),
    )
    legend_below(fig, ncol=3, title="students of each teacher (sizes n dodged apart)")
    return fig


@figure(
    "learning-curves",
    "excess error against n for teachers of different margins (dashed: each linear floor)",
    ("learnability/margin",),
)
def learning_curves(claims: Claims) -> Figure:
    m = claims.measurement("learnability/margin", LearningCurves)
    fig, (ax,) = new_figure(width=5.2, height=4.6)
    for i, curve in enumerate(m.curves):
        e = curve.excess_error
        (line,) = ax.plot(
            m.sizes,
            e.mean,
            marker=MARKERS[i % len(MARKERS)],
            ms=4,
            label=f"{MARGIN} = {curve.margin:.2f}",
            gid=f"curve:{i}",
        )
        ax.fill_between(
            m.sizes, np.maximum(e.ci_low, 1e-5), e.ci_high, color=line.get_color(), alpha=0.15
        )
        ax.axhline(
            max(curve.floor.value, LOG_FLOOR),
            color=line.get_color(),
            linestyle=interleaved_dashes(i, len(m.curves)),
            linewidth=1.2,
            gid=f"floor:{i}",
        )
    ax.plot([], [], color="grey", linestyle="--", label="its linear floor (dashed, same colour)")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("training set size n")
    ax.set_ylabel("excess error over Bayes (mean, 95% band)")
    ax.set_title(f"Top-1 students by teacher margin {MARGIN}", fontsize=9)
    legend_below(fig, ncol=2)
    return fig


def _half_step(values: np.ndarray, default: float) -> float:
    """Half the spacing of an evenly spaced grid: how far a cell reaches from its centre."""
    return float(np.diff(values).min()) / 2 if len(values) > 1 else default


@figure(
    "partial-label-grid",
    "the (Delta, gamma) grid of partial labels: students' accuracy, or without students "
    "the top-k risk minimizer",
    ("partial-labels/grid",),
)
def partial_label_grid(claims: Claims) -> Figure:
    m = claims.measurement("partial-labels/grid", PartialGrid)
    deltas, gammas = np.asarray(m.deltas), np.asarray(m.gammas)
    ticks: dict[float, str] = {}
    if m.cc is None or m.distill is None:  # no students in this suite: the set risk alone
        outcome = np.asarray(m.set_risk)
        value = np.where(outcome == "consistent", 1.0, np.where(outcome == "inconsistent", 0, 0.5))
        text = np.where(
            outcome == "consistent", "yes", np.where(outcome == "inconsistent", "no", "?")
        )
        panels = [
            ("Is the top-k risk minimizer consistent?\n(no students in this suite)", value, text)
        ]
        ticks = {0.0: "no: inconsistent", 0.5: "?: undetermined", 1.0: "yes: consistent"}
        bar_label = "top-k risk minimizer"
    else:
        panels = []
        for learner, summary in (("cc", m.cc), ("distill", m.distill)):
            acc = np.asarray(summary.mean, float)
            text = np.array([[f"{a:.2f}" for a in row] for row in acc])
            panels.append((f"{LABELS[learner]}s (n = {m.n})", acc, text))
        bar_label = "held-out accuracy"
    half_g, half_d = _half_step(gammas, 0.1), _half_step(deltas, 0.05)
    extent = (gammas[0] - half_g, gammas[-1] + half_g, deltas[0] - half_d, deltas[-1] + half_d)
    fig, axes = new_figure(len(panels), width=4.6 if len(panels) == 1 else 4.0, height=4.3)
    cmap, norm = colormaps["viridis"], Normalize(0, 1)
    for ax, (title, value, text) in zip(axes, panels, strict=True):
        image = ax.imshow(
            value, origin="lower", cmap=cmap, norm=norm, aspect="auto", extent=extent, zorder=1
        )
        line = np.linspace(extent[0], extent[1], 50)
        ax.plot(
            line,
            1 - line,
            color="white",
            linestyle="--",
            linewidth=1.4,
            zorder=2,
            path_effects=[withStroke(linewidth=2.8, foreground="black")],
            label="Delta + gamma = 1: beyond it the top-k risk minimizer is not Bayes",
            gid="boundary",
        )
        for i, d in enumerate(deltas):
            for j, g in enumerate(gammas):
                # On a patch of its cell's colour, above the line: the line breaks off
                # around the number instead of striking through it.
                ax.text(
                    g,
                    d,
                    str(text[i, j]),
                    ha="center",
                    va="center",
                    fontsize=7,
                    color="white" if value[i, j] < 0.5 else "black",
                    zorder=3,
                    bbox={
                        "boxstyle": "square,pad=0.2",
                        "facecolor": cmap(norm(value[i, j])),
                        "edgecolor": "none",
                    },
                    gid=f"cell:{i}:{j}",
                )
        ax.set_xlim(extent[0], extent[1])
        ax.set_ylim(extent[2], extent[3])
        ax.set_xticks(gammas, [f"{g:g}" for g in gammas])
        ax.set_yticks(deltas, [f"{d:g}" for d in deltas])
        ax.set_xlabel("ambiguity degree gamma")
        ax.set_ylabel("unreliability degree Delta")
        ax.set_title(title, fontsize=9)
        ax.grid(False)
    colorbar = fig.colorbar(image, ax=axes, label=bar_label)
    if ticks:
        colorbar.set_ticks(list(ticks), labels=list(ticks.values()))
    legend_below(fig)
    return fig


@figure(
    "additive-noise",
    "Delta_k + gamma_k of additive noise against sigma, and students' accuracy",
    ("additive-noise/sweep",),
)
def additive_noise(claims: Claims) -> Figure:
    m = claims.measurement("additive-noise/sweep", NoiseSweep)
    fig, axes = new_figure(2 if m.students else 1, width=4.6, height=4.6)
    left = axes[0]
    for i, k in enumerate(m.ks):
        rows = sorted((r for r in m.rows if r.k == k), key=lambda r: r.sigma)
        sig = [r.sigma for r in rows]
        (line,) = left.plot(
            sig,
            [r.delta + r.gamma for r in rows],
            linestyle=("-", "--", "-.", ":")[i % 4],
            label=f"closed form, k = {k}",
            gid=f"closed-form:{k}",
        )
        left.scatter(
            sig,
            [r.delta_mc.value + r.gamma_cls_mc.value for r in rows],
            s=28,
            marker=("x", "+", "1", "2", "3", "4")[i % 6],
            color=line.get_color(),
            zorder=3,
            label=f"Monte Carlo estimate, k = {k}",
            gid=f"monte-carlo:{k}",
        )
    boundary(left, vertical=False, label="Delta + gamma = 1")
    left.set_ylim(top=1.06)
    _log_ticks(left, m.sigmas)
    left.set_xlabel("noise scale sigma")
    left.set_ylabel("Delta_k + gamma_k (lines: closed form)")
    left.set_title(
        "The condition approaches 1 only as sigma grows"
        + ("" if m.students else "\n(no students in this suite)"),
        fontsize=9,
    )
    if m.students:
        right = axes[1]
        for i, (name, summary) in enumerate(m.students.items()):
            (line,) = right.plot(
                m.sigmas,
                summary.mean,
                marker=MARKERS[i % len(MARKERS)],
                ms=4,
                label=" ".join(LEARNERS.get(w, w) for w in name.split(" ")) + " student",
                gid=f"student:{name}",
            )
            right.fill_between(
                m.sigmas, summary.ci_low, summary.ci_high, color=line.get_color(), alpha=0.15
            )
        _log_ticks(right, m.sigmas)
        right.set_xlabel("noise scale sigma")
        right.set_ylabel("held-out accuracy (mean, 95% band)")
        right.set_title(f"Students (n = {m.n})", fontsize=9)
    legend_below(fig, ncol=2)
    return fig


def _fit(ax: Axes, xs: list[float], ys: list[float]) -> None:
    """Limits around the points: a trajectory that moves little still fills its panel."""
    for values, limit in ((xs, ax.set_xlim), (ys, ax.set_ylim)):
        finite = [v for v in values if math.isfinite(v)]
        if not finite:
            continue
        lo, hi = min(finite), max(finite)
        span = hi - lo or max(abs(hi) * 0.05, 1e-6)
        limit(lo - 0.2 * span, hi + 0.2 * span)


@figure(
    "self-training",
    "incomplete supervision: accuracy and indicators over self-training rounds",
    ("incomplete/self-training",),
)
def self_training(claims: Claims) -> Figure:
    m = claims.measurement("incomplete/self-training", SelfTraining)
    keys = [f"{p:g}" for p in m.fractions]  # the keys of ``by_fraction``
    rounds = [r.round for r in m.trajectory]
    accuracy = [m.by_fraction(r.accuracy) for r in m.trajectory]
    delta = [m.by_fraction(r.delta) for r in m.trajectory]
    gamma_cls = [m.by_fraction(r.gamma_cls) for r in m.trajectory]
    population = all(r.floor for r in m.trajectory)
    cols = max(1, math.ceil(len(keys) / 2))
    fig = plt.figure(figsize=(4.6 + 1.9 * cols, 7.0), layout="constrained")
    left, right = side_by_side(fig, width_ratios=(4.6, 1.9 * cols))
    panels = left.subplots(2 if population else 1, 1, squeeze=False)[:, 0]
    cmap = colormaps["viridis"]
    colours = [cmap(i / max(len(keys) - 1, 1)) for i in range(len(keys))]
    for i, p in enumerate(keys):
        style = {"color": colours[i], "marker": MARKERS[i % len(MARKERS)], "ms": 4}
        panels[0].plot(
            rounds, [row[p] for row in accuracy], label=f"p = {p}", gid=f"accuracy:{p}", **style
        )
        if population:  # the population trajectory's agreement with Bayes
            panels[1].plot(
                rounds,
                [1 - r.floor[i].value for r in m.trajectory],
                linestyle="--",
                gid=f"population:{p}",
                **style,
            )
    panels[0].set_ylabel("held-out accuracy")
    panels[0].set_title(f"Students (n = {m.n}, mean of {m.seeds} seeds)", fontsize=9)
    if population:
        panels[1].set_ylabel("agreement with the Bayes classifier")
        panels[1].set_title("Population trajectory (linear minimizers)", fontsize=9)
    for ax in panels:
        ax.set_xticks(rounds)
        ax.set_xlabel("self-training round t")
    legend_below(left, ncol=5, title="labeled fraction p")

    grid = right.subplots(2 if len(keys) > 1 else 1, cols, squeeze=False)
    for i, p in enumerate(keys):
        ax = grid.flat[i]
        xs, ys = [row[p] for row in delta], [row[p] for row in gamma_cls]
        ax.plot(xs[:1], ys[:1], linestyle="none", marker="o", ms=10, mfc="none", mec="black")
        ax.plot(
            xs,
            ys,
            linestyle="none",
            marker=MARKERS[i % len(MARKERS)],
            ms=4,
            color=colours[i],
            gid=f"rho:{p}",
        )
        for t in range(len(xs) - 1):
            ax.annotate(
                "",
                xy=(xs[t + 1], ys[t + 1]),
                xytext=(xs[t], ys[t]),
                arrowprops={"arrowstyle": "->", "color": colours[i], "shrinkA": 3, "shrinkB": 3},
                gid=f"rho-step:{p}:{t}",
            )
        _fit(ax, xs, ys)
        lo, hi = ax.get_xlim()
        line = np.linspace(lo, hi, 20)  # the boundary, where it enters the view
        ax.plot(line, 1 - line, "k--", linewidth=1.0, scalex=False, scaley=False)
        for axis, bins in ((ax.xaxis, 3), (ax.yaxis, 4)):
            axis.set_major_locator(MaxNLocator(bins))
            axis.set_major_formatter(ScalarFormatter(useOffset=False))
        ax.tick_params(labelsize=6, labelrotation=0)
        ax.tick_params(axis="x", labelrotation=30)
        ax.set_xlabel("Delta_t", fontsize=7)
        ax.set_ylabel("gamma_cls,t", fontsize=7)
        ax.set_title(f"p = {p}\nsum <= {max(np.add(xs, ys)):.2g}", fontsize=8)
    for ax in grid.flat[len(keys) :]:
        ax.remove()
    right.suptitle(
        "The map rho for each p: (Delta_t, gamma_cls,t) from round 0 (ringed), arrows from\n"
        "round t to t + 1; axes fitted to each p (sum: Delta_t + gamma_cls,t; boundary 1)",
        fontsize=9,
    )
    return fig


@figure(
    "learning-curve-collapse",
    "estimation error (disagreement with the class's population minimizer) against n, raw "
    "and multiplied by the margin",
    ("learnability/margin", "learnability/collapse"),
)
def learning_curve_collapse(claims: Claims) -> Figure:
    m = claims.measurement("learnability/margin", LearningCurves)
    collapse = claims.measurement("learnability/collapse", Collapse)
    best = collapse.best_power
    panels = [
        (0.0, "Raw", collapse.spread_raw),
        (1.0, "Times the margin: Theorem L's power 1", collapse.spread_times_margin),
    ]
    if all(abs(best - power) > 1e-9 for power, _, _ in panels):
        panels.append((best, "The power that aligns them best", collapse.spread_at_best_power))
    fig, axes = new_figure(len(panels), width=4.2, height=4.2)
    curves = [c for c in m.curves if c.margin > 0]  # a power of a margin <= 0 has no log
    for ax, (power, title, spread) in zip(axes, panels, strict=True):
        for i, curve in enumerate(curves):
            e = np.asarray(curve.estimation.disagreement.mean)
            ax.plot(
                m.sizes,
                e * curve.margin**power,
                marker=MARKERS[i % len(MARKERS)],
                ms=4,
                label=f"{MARGIN} = {curve.margin:.2f}",
                gid=f"collapse:{power:g}:{i}",
            )
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("training set size n")
        ax.set_ylabel("estimation error" + (f" x {MARGIN}^{power:g}" if power else ""))
        best_note = ", the best tried" if abs(power - best) <= 1e-9 else ""
        ax.set_title(
            f"{title}\n(spread across margins {spread:.3f}{best_note})", fontsize=9, gid="spread"
        )
    fig.suptitle(
        "Estimation error: the students' disagreement with their class's population minimizer",
        fontsize=9,
    )
    legend_below(fig, ncol=len(curves))
    return fig


@figure(
    "sbt-training",
    "a skillful-but-bad teacher over training: its indicators and its students",
    ("sbt/headline",),
)
def sbt_training(claims: Claims) -> Figure:
    m = claims.measurement("sbt/headline", Headline)
    k = m.k
    fig, (accuracy, indicators, students) = new_figure(3, width=4.0, height=4.8)
    series: list[tuple[Axes, str, Callable[[Any], float], dict[str, Any], str]] = [
        (
            accuracy,
            "teacher-train",
            lambda r: r.teacher_top1_train,
            {"color": COLORS["teacher"], "marker": "o"},
            "teacher top-1 accuracy (training sample)",
        ),
        (
            accuracy,
            "teacher-heldout",
            lambda r: r.teacher_top1_heldout,
            {"color": "#8a5a44", "marker": "x", "linestyle": "--"},
            "teacher top-1 accuracy (held out)",
        ),
        (
            indicators,
            "delta",
            lambda r: r.delta,
            {"color": "#7b2cbf", "marker": "s"},
            f"Delta_{k} (training sample)",
        ),
        (
            indicators,
            "gamma-cls",
            lambda r: r.gamma_cls,
            {"color": "#0096c7", "marker": "^"},
            f"gamma_cls,{k} (training sample)",
        ),
        (
            indicators,
            "sum",
            lambda r: r.delta + r.gamma_cls,
            {"color": "black", "marker": "D", "linestyle": ":"},
            f"Delta_{k} + gamma_cls,{k}",
        ),
        (
            students,
            "cc",
            lambda r: r.student_cc,
            {"color": COLORS["cc"], "marker": "o"},
            f"top-{k} (CC) student",
        ),
        (
            students,
            "distill",
            lambda r: r.student_distill,
            {"color": COLORS["distill"], "marker": "s"},
            "distillation student",
        ),
    ]
    steps = [[r.step for r in run.checkpoints] for run in m.runs]
    # Many seeds draw a thicket: each is a thin line, their mean the thick one (when the
    # seeds share their checkpoints; else the first seed is the thick one).
    shared = len(m.runs) > 1 and all(s == steps[0] for s in steps)
    for ax, gid, value, style, label in series:
        for i, run in enumerate(m.runs):
            thick = len(m.runs) == 1 or (i == 0 and not shared)
            ax.plot(
                steps[i],
                [value(r) for r in run.checkpoints],
                alpha=1.0 if thick else 0.35,
                linewidth=1.5 if thick else 0.8,
                ms=4 if thick else 2,
                label=label if thick else None,
                gid=f"{gid}:{i}",
                **style,
            )
        if shared:
            mean = np.mean([[value(r) for r in run.checkpoints] for run in m.runs], axis=0)
            ax.plot(steps[0], mean, linewidth=1.8, ms=4, label=label, gid=f"{gid}:mean", **style)
    for i, run in enumerate(m.runs):
        students.axhline(
            run.oracle_accuracy,
            color=COLORS["truth"],
            linestyle="--",
            linewidth=1.2,
            label="student of the true labels" if i == 0 else None,
            gid=f"truth:{i}",
        )
    chosen: dict[int, int] = {}
    for run in m.runs:
        if (at := run.at_choice()) is not None:
            chosen[at.step] = chosen.get(at.step, 0) + 1
    for step, count in sorted(chosen.items()):
        for ax in (accuracy, students):
            ax.axvline(
                step,
                color="grey",
                linestyle=":",
                label=f"checkpoint chosen by the rule ({count} of {len(m.runs)} teachers)",
                gid=f"chosen:{step}",
            )
    accuracy.axhline(
        0.3,
        color=COLORS["teacher"],
        linestyle="-.",
        linewidth=1.0,
        label="30% top-1: the rule's and the headline's bar",
        gid="bar",
    )
    boundary(indicators, vertical=False, label=f"Delta_{k} + gamma_cls,{k} = 1: the boundary")
    if len(m.runs) > 1:
        students.plot(
            [],
            [],
            color="grey",
            linewidth=0.8,
            alpha=0.35,
            label=f"thin: each of the {len(m.runs)} teachers; "
            + ("thick: their mean" if shared else "thick: teacher 1"),
        )
    for ax, ylabel, title in (
        (accuracy, "teacher top-1 accuracy", "The teacher's top-1: bad"),
        (indicators, f"Delta_{k}, gamma_cls,{k} and their sum", f"Its top-{k} sets: the condition"),
        (students, "students' held-out accuracy", "Its linear students"),
    ):
        ax.set_xlabel("teacher training step")
        ax.set_ylabel(ylabel)
        ax.set_title(title, fontsize=9)
    legend_below(fig, ncol=3)
    return fig


@figure(
    "floors-width",
    "approximation floors against the student class: linear, then MLPs of growing width",
    ("floors/width",),
)
def floors_width(claims: Claims) -> Figure:
    m = claims.measurement("floors/width", FloorsByWidth)
    fig, (ax,) = new_figure(width=7.0, height=5.0)
    xs = np.arange(len(m.widths) + 1)
    settings = list(dict.fromkeys((r.world, r.teacher) for r in m.rows))
    palette = colormaps["tab10"]
    clipped, lowest, highest = False, TOLERANCE, TOLERANCE
    for i, r in enumerate(m.rows):
        values = np.asarray([f.value for f in r.floors])
        shown = np.maximum(values, LOG_FLOOR)
        clipped |= bool((values < LOG_FLOOR).any())
        low = np.maximum([f.ci[0] for f in r.floors], LOG_FLOOR)
        high = np.maximum([f.ci[1] for f in r.floors], shown)
        lowest, highest = min(lowest, low.min()), max(highest, high.max())
        bars = ax.errorbar(
            xs + shift(i, len(m.rows)),
            shown,
            yerr=[shown - np.minimum(low, shown), high - shown],
            marker=MARKERS[i % len(MARKERS)],
            linestyle="-" if r.learner == "cc" else "--",
            color=palette(settings.index((r.world, r.teacher)) % 10),
            ms=5,
            capsize=3,
            label=f"{TEACHERS.get(r.teacher, r.teacher)}, {LEARNERS.get(r.learner, r.learner)} "
            f"(margin {r.target_margin:.3f})"
            + ("" if r.world == "consistency world" else f", {r.world}"),
        )
        bars.lines[0].set_gid(f"floor:{i}")
    ax.axhline(
        TOLERANCE,
        color="grey",
        linestyle=":",
        linewidth=1.2,
        label=f"tolerance {TOLERANCE:g}",
        gid="tolerance",
    )
    ax.set_yscale("log")
    ax.set_ylim(lowest / 2, min(highest * 2, 1.5))
    ax.set_xlim(-0.4, len(xs) - 0.6)
    ax.set_xticks(xs, ["linear", *(f"MLP {w}" for w in m.widths)])
    ax.set_ylabel(
        "floor: disagreement with Bayes" + (f"\n(0 drawn at {LOG_FLOOR:g})" if clipped else "")
    )
    ax.set_xlabel("student class (rows shifted sideways to stay apart)")
    ax.set_title("Approximation floors by student class (95% intervals)", fontsize=9)
    legend_below(fig, ncol=2)
    return fig
