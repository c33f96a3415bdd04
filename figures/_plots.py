"""The figures. Each reads the measurements of saved claims and nothing else."""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib import colormaps
from matplotlib.figure import Figure
from matplotlib.ticker import NullFormatter

from figures._registry import Claims, figure
from figures._style import COLORS, LABELS, boundary, new_figure
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


def _log_ticks(ax: Any, values: list[float]) -> None:
    """A log axis labelled with a few of the plotted values in plain numbers."""
    ax.set_xscale("log")
    ticks = values[:: max(1, len(values) // 5)]
    ax.set_xticks(ticks, [f"{v:g}" for v in ticks])
    ax.xaxis.set_minor_formatter(NullFormatter())


@figure(
    "phase-diagram",
    "consistency of each learner family against Delta_max + gamma",
    ("conditions/phase",),
)
def phase_diagram(claims: Claims) -> Figure:
    m = claims.measurement("conditions/phase", Phase)
    edges = np.asarray(m.edges)
    centres = (edges[:-1] + edges[1:]) / 2
    fig, (ax,) = new_figure(width=5.2, height=3.4)
    for family, counts in m.families.items():
        decided = np.asarray(counts.decided, float)
        rate = np.divide(
            counts.consistent, decided, out=np.full(len(decided), np.nan), where=decided > 0
        )
        ax.plot(centres, rate, marker="o", ms=3, color=COLORS[family], label=ORACLES[family])
    boundary(ax, label="Delta_max + gamma = 1")
    ax.set_xlabel("Delta_max + gamma (bins of width 0.1)")
    ax.set_ylabel("fraction of worlds consistent")
    ax.set_ylim(-0.03, 1.03)
    ax.set_title(f"Where the condition sits ({m.worlds} random finite worlds)")
    ax.legend(loc="lower left")
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
    fig, axes = new_figure(2, width=4.0, height=3.2)
    markers = {"sbt": "o", "partial": "s", "confuser": "^", "noise": "D"}
    for ax, learner in zip(axes, ("cc", "distill"), strict=True):
        for teacher, marker in markers.items():
            grid = claims.measurement(f"consistency/{teacher}/{learner}", Consistency).grid
            d = grid.disagreement_with_bayes
            line = ax.errorbar(
                grid.sizes,
                d.mean,
                yerr=[np.subtract(d.mean, d.ci_low), np.subtract(d.ci_high, d.mean)],
                marker=marker,
                ms=4,
                capsize=2,
                label=teacher,
            )
            # the linear class's floor: where these students level off, whatever n
            ax.axhline(
                max(grid.floor.value, 1e-4),
                color=line[0].get_color(),
                linestyle="--",
                linewidth=0.8,
            )
        # every consistency claim carries the same true-label ceiling (one shared cell)
        ceiling = claims.measurement(f"consistency/sbt/{learner}", Consistency).ceiling
        ax.plot(
            ceiling.sizes,
            1 - np.asarray(ceiling.accuracy),
            color=COLORS["truth"],
            linestyle=":",
            label="true labels",
        )
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("training set size n")
        ax.set_ylabel("disagreement with the Bayes classifier")
        ax.set_title(LABELS[learner] + " (dashed: the linear class's floor)", fontsize=8)
        ax.legend(fontsize=7)
    return fig


@figure(
    "learning-curves",
    "excess error against n for teachers of different margins (dashed: each linear floor)",
    ("learnability/margin",),
)
def learning_curves(claims: Claims) -> Figure:
    m = claims.measurement("learnability/margin", LearningCurves)
    fig, (ax,) = new_figure(width=4.6, height=3.4)
    for curve in m.curves:
        e = curve.excess_error
        (line,) = ax.plot(m.sizes, e.mean, marker="o", ms=3, label=f"margin {curve.margin:.2f}")
        ax.fill_between(m.sizes, np.maximum(e.ci_low, 1e-5), e.ci_high, alpha=0.2)
        ax.axhline(curve.floor.value, color=line.get_color(), linestyle="--", linewidth=0.8)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("training set size n")
    ax.set_ylabel("excess error over Bayes")
    ax.set_title("Learning curves by margin 1 - Delta - gamma")
    ax.legend()
    return fig


@figure(
    "partial-label-grid",
    "the (Delta, gamma) grid of partial labels: students' accuracy, or without students "
    "the top-k risk minimizer",
    ("partial-labels/grid",),
)
def partial_label_grid(claims: Claims) -> Figure:
    m = claims.measurement("partial-labels/grid", PartialGrid)
    deltas, gammas = np.asarray(m.deltas), np.asarray(m.gammas)
    if m.cc is None or m.distill is None:  # no students in this suite: the set risk alone
        outcome = np.asarray(m.set_risk)
        value = np.where(outcome == "consistent", 1.0, np.where(outcome == "inconsistent", 0, 0.5))
        panels = [("set risk", "top-k risk minimizer: 1 consistent, 0 not, 0.5 undecided", value)]
    else:
        panels = [
            (learner, f"{LABELS[learner]}: accuracy", np.asarray(summary.mean))
            for learner, summary in (("cc", m.cc), ("distill", m.distill))
        ]
    fig, axes = new_figure(len(panels), width=3.9, height=3.4)
    for ax, (_, title, acc) in zip(axes, panels, strict=True):
        image = ax.imshow(
            acc,
            origin="lower",
            cmap="viridis",
            vmin=0,
            vmax=1,
            aspect="auto",
            extent=(gammas[0] - 0.1, gammas[-1] + 0.1, deltas[0] - 0.05, deltas[-1] + 0.05),
        )
        for i, d in enumerate(deltas):
            for j, g in enumerate(gammas):
                ax.text(
                    g,
                    d,
                    f"{acc[i, j]:.2f}",
                    ha="center",
                    va="center",
                    fontsize=6.5,
                    color="white" if acc[i, j] < 0.5 else "black",
                )
        line = np.linspace(gammas[0] - 0.1, gammas[-1] + 0.1, 50)
        ax.plot(line, 1 - line, color="white", linestyle="--", linewidth=1.2)
        ax.set_ylim(deltas[0] - 0.05, deltas[-1] + 0.05)
        ax.set_xlabel("ambiguity degree gamma")
        ax.set_ylabel("unreliability degree Delta")
        ax.set_title(title + "\n(dashed: Delta + gamma = 1)", fontsize=9)
        ax.grid(False)
    fig.colorbar(image, ax=axes[-1], label="held-out accuracy" if m.cc is not None else "")
    return fig


@figure(
    "additive-noise",
    "Delta_k + gamma_k of additive noise against sigma, and students' accuracy",
    ("additive-noise/sweep",),
)
def additive_noise(claims: Claims) -> Figure:
    m = claims.measurement("additive-noise/sweep", NoiseSweep)
    fig, (left, right) = new_figure(2, width=4.0, height=3.2)
    for k in m.ks:
        rows = [r for r in m.rows if r.k == k]
        sig = [r.sigma for r in rows]
        left.plot(sig, [r.delta + r.gamma for r in rows], label=f"closed form, k = {k}")
        mc = [r.delta_mc.value + r.gamma_cls_mc.value for r in rows]
        left.scatter(sig, mc, s=10, marker="x", label=f"Monte Carlo, k = {k}")
    boundary(left, vertical=False)
    _log_ticks(left, m.sigmas)
    left.set_xlabel("noise scale sigma")
    left.set_ylabel("Delta_k + gamma_k")
    left.set_title("The condition approaches 1 only as sigma grows")
    left.legend(fontsize=6.5)
    for name, summary in m.students.items():
        right.plot(m.sigmas, summary.mean, marker="o", ms=3, label=name)
    _log_ticks(right, m.sigmas)
    right.set_xlabel("noise scale sigma")
    right.set_ylabel("held-out accuracy")
    if m.students:
        right.set_title(f"Students (n = {m.n})")
        right.legend(fontsize=7)
    else:
        right.set_title("Students: paper suite")
    return fig


@figure(
    "self-training",
    "incomplete supervision: accuracy and indicators over self-training rounds",
    ("incomplete/self-training",),
)
def self_training(claims: Claims) -> Figure:
    m = claims.measurement("incomplete/self-training", SelfTraining)
    rounds = [r.round for r in m.trajectory]
    accuracy = [m.by_fraction(r.accuracy) for r in m.trajectory]
    delta = [m.by_fraction(r.delta) for r in m.trajectory]
    gamma_cls = [m.by_fraction(r.gamma_cls) for r in m.trajectory]
    fractions = list(accuracy[0])
    fig, (left, right) = new_figure(2, width=4.0, height=3.2)
    cmap = colormaps["viridis"]
    for i, p in enumerate(fractions):
        colour = cmap(i / max(len(fractions) - 1, 1))
        left.plot(
            rounds,
            [row[p] for row in accuracy],
            marker="o",
            ms=3,
            color=colour,
            label=f"p = {p}",
        )
        if all(r.floor for r in m.trajectory):  # the population trajectory's agreement with Bayes
            left.plot(
                rounds,
                [1 - r.floor[i].value for r in m.trajectory],
                linestyle="--",
                linewidth=0.8,
                color=colour,
            )
        right.plot(
            [row[p] for row in delta],
            [row[p] for row in gamma_cls],
            marker="o",
            ms=3,
            color=colour,
        )
    left.set_xlabel("self-training round t")
    left.set_ylabel("accuracy (dashed: population)")
    left.set_title("Accuracy by labeled fraction p")
    left.legend(fontsize=6, ncol=2)
    line = np.linspace(0, 1, 20)
    right.plot(line, 1 - line, color="black", linestyle="--", label="Delta + gamma_cls = 1")
    right.set_xlim(0, 1)
    right.set_ylim(0, 1)
    right.set_xlabel("Delta_t")
    right.set_ylabel("gamma_cls,t (class level)")
    right.set_title("The map rho: (Delta_t, gamma_t) over rounds")
    right.legend(fontsize=7)
    return fig


@figure(
    "learning-curve-collapse",
    "estimation error (disagreement with the class's population minimizer) against n, raw "
    "and multiplied by the margin",
    ("learnability/margin", "learnability/collapse"),
)
def learning_curve_collapse(claims: Claims) -> Figure:
    m = claims.measurement("learnability/margin", LearningCurves)
    best = claims.measurement("learnability/collapse", Collapse).best_power
    fig, (left, right) = new_figure(2, width=4.0, height=3.2)
    for curve in m.curves:
        e = np.asarray(curve.estimation.disagreement.mean)
        left.plot(m.sizes, e, marker="o", ms=3, label=f"margin {curve.margin:.2f}")
        right.plot(m.sizes, e * curve.margin, marker="o", ms=3, label=f"margin {curve.margin:.2f}")
    for ax, title, ylabel in (
        (left, "Raw", "estimation error"),
        (
            right,
            f"Times the margin (margin^1; the best power is {best:.1f})",
            "estimation error x margin",
        ),
    ):
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("training set size n")
        ax.set_ylabel(ylabel)
        ax.set_title(title)
        ax.legend(fontsize=7)
    return fig


@figure(
    "sbt-training",
    "a skillful-but-bad teacher over training: its indicators and its students",
    ("sbt/headline",),
)
def sbt_training(claims: Claims) -> Figure:
    m = claims.measurement("sbt/headline", Headline)
    fig, (left, right) = new_figure(2, width=4.0, height=4.0)
    for i, run in enumerate(m.runs):
        rows = run.checkpoints
        steps = [r.step for r in rows]
        tag = "" if len(m.runs) == 1 else f" (teacher {i + 1})"
        alpha = 1.0 if i == 0 else 0.45
        left.plot(
            steps,
            [r.teacher_top1_train for r in rows],
            color=COLORS["teacher"],
            alpha=alpha,
            marker="o",
            ms=3,
            label="teacher top-1 accuracy (training sample)" if i == 0 else None,
        )
        left.plot(
            steps,
            [r.teacher_top1_heldout for r in rows],
            color=COLORS["teacher"],
            alpha=alpha,
            linestyle="--",
            marker="x",
            ms=3,
            label="teacher top-1 accuracy (held out)" if i == 0 else None,
        )
        chosen = run.at_choice()
        if chosen is not None:
            right.axvline(
                chosen.step,
                color="grey",
                linestyle=":",
                alpha=alpha,
                label="checkpoint chosen by the rule" if i == 0 else None,
            )
        left.plot(
            steps,
            [r.delta for r in rows],
            color="#7b2cbf",
            alpha=alpha,
            marker="s",
            ms=3,
            label=f"Delta_{m.k}" if i == 0 else None,
        )
        left.plot(
            steps,
            [r.gamma_cls for r in rows],
            color="#0096c7",
            alpha=alpha,
            marker="^",
            ms=3,
            label=f"gamma_cls,{m.k}" if i == 0 else None,
        )
        left.plot(
            steps,
            [r.delta + r.gamma_cls for r in rows],
            color="black",
            alpha=alpha,
            linestyle=":",
            label="Delta + gamma_cls" if i == 0 else None,
        )
        right.plot(
            steps,
            [r.student_cc for r in rows],
            color=COLORS["cc"],
            alpha=alpha,
            marker="o",
            ms=3,
            label=f"top-{m.k} (CC) student{tag}" if i == 0 else None,
        )
        right.plot(
            steps,
            [r.student_distill for r in rows],
            color=COLORS["distill"],
            alpha=alpha,
            marker="s",
            ms=3,
            label="distillation student" if i == 0 else None,
        )
        right.axhline(
            run.oracle_accuracy,
            color=COLORS["truth"],
            linestyle="--",
            alpha=alpha,
            label="student of the true labels" if i == 0 else None,
        )
    left.axhline(0.3, color=COLORS["teacher"], linestyle="--", linewidth=0.8, label="30% top-1")
    boundary(left, vertical=False, label="the condition's boundary (1)")
    for ax in (left, right):
        ax.set_xlabel("teacher training step")
    left.set_ylabel("value (Delta, gamma_cls on the training sample)")
    left.set_title("The teacher: bad top-1, true label in its top-k")
    right.set_ylabel("held-out accuracy")
    right.set_title("Its students")
    for ax in (left, right):
        ax.legend(fontsize=6.5, loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=2)
    return fig


@figure(
    "floors-width",
    "approximation floors against the student class: linear, then MLPs of growing width",
    ("floors/width",),
)
def floors_width(claims: Claims) -> Figure:
    m = claims.measurement("floors/width", FloorsByWidth)
    fig, (ax,) = new_figure(width=5.0, height=3.6)
    xs = np.arange(len(m.widths) + 1)
    for r in m.rows:
        values = [f.value for f in r.floors]
        lo = [f.value - f.ci[0] for f in r.floors]
        hi = [f.ci[1] - f.value for f in r.floors]
        ax.errorbar(
            xs,
            values,
            yerr=[lo, hi],
            marker="o" if r.learner == "cc" else "s",
            linestyle="-" if r.learner == "cc" else "--",
            ms=4,
            capsize=2,
            label=f"{r.teacher}, {r.learner} (margin {r.target_margin:.3f})"
            + ("" if r.world == "consistency world" else f", {r.world}"),
        )
    ax.axhline(0.005, color="grey", linestyle=":", linewidth=0.8, label="tolerance 0.005")
    ax.set_xticks(xs, ["linear", *(f"MLP {w}" for w in m.widths)])
    ax.set_ylabel("floor: disagreement with Bayes")
    ax.set_xlabel("student class")
    ax.set_ylim(0, 1)
    ax.legend(fontsize=6, loc="upper center", bbox_to_anchor=(0.5, -0.18), ncol=2)
    return fig
