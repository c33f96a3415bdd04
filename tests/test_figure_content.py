"""What the figures show: the plotted data read back from the artists equals the report's
numbers, and every message is visible (no text on text, nothing cut off, no curve hidden
under another, no legend on the data, every axis naming its quantity).

Figures are drawn from the quick suite's report and from a copy of it with what only the
paper suite measures (students on the partial-label grid and under additive noise, many
floor rows, some equal, a best collapse power other than 1), laid out exactly as
``python -m figures`` saves them.
"""

from __future__ import annotations

import dataclasses
import itertools
from pathlib import Path
from typing import Any
from unittest import mock

import numpy as np
import pytest
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import PathCollection
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from matplotlib.image import AxesImage
from matplotlib.legend import Legend
from matplotlib.lines import Line2D
from matplotlib.text import Annotation, Text
from matplotlib.transforms import Bbox

import figures
from figures._style import save
from verify.schema import (
    Collapse,
    Consistency,
    FloorsByWidth,
    Headline,
    LearningCurves,
    MeanCI,
    MeanCIGrid,
    NoiseSweep,
    PartialGrid,
    Phase,
    Report,
    SelfTraining,
    load_report,
)

NAMES = [spec.name for spec in figures.all_figures()]
TEACHERS = figures._plots.TEACHERS
MARGIN = "(1 - Delta_max - gamma)"


@dataclasses.dataclass
class Drawn:
    """A figure after the layout it is saved with, and the texts its last draw drew."""

    fig: Figure
    canvas: FigureCanvasAgg
    texts: list[Text]

    def gid(self, gid: str) -> Any:
        """The one artist with this ``gid``."""
        found = self.fig.findobj(lambda a: a.get_gid() == gid)
        assert len(found) == 1, f"{len(found)} artists with gid {gid!r}"
        return found[0]

    def gids(self, prefix: str) -> list[Any]:
        """Every artist whose ``gid`` starts with ``prefix``."""
        return self.fig.findobj(lambda a: str(a.get_gid() or "").startswith(prefix))

    def extent(self, artist: Any) -> Bbox:
        return artist.get_window_extent(self.canvas.get_renderer())


def draw(report: Report, name: str, out: Path) -> Drawn:
    """Draw ``name`` and save it as the command line does; then record which texts a draw
    actually renders (a tick label outside the view exists but is not drawn)."""
    spec = next(s for s in figures.all_figures() if s.name == name)
    fig = spec.draw(report)
    save(fig, out, name, formats=("png",), dpi=50)
    texts: list[Text] = []
    real = Text.draw

    def spy(self: Text, renderer: Any) -> None:
        if self.get_visible() and self.get_text().strip():
            texts.append(self)
        real(self, renderer)

    canvas = FigureCanvasAgg(fig)  # closing the figure after saving left it a blank canvas
    with mock.patch.object(Text, "draw", spy):
        canvas.draw()
    return Drawn(fig, canvas, texts)


def with_measurements(report: Report, new: dict[str, Any]) -> Report:
    """``report`` with the measurements of the claims ``new`` names replaced."""
    assert set(new) <= {c.id for c in report.claims}
    claims = [
        dataclasses.replace(c, measurement=new[c.id]) if c.id in new else c for c in report.claims
    ]
    return dataclasses.replace(report, claims=claims)


def _paper_like(report: Report) -> Report:
    grid = report.measurement("partial-labels/grid", PartialGrid)
    shape = (len(grid.deltas), len(grid.gammas))
    cc = np.linspace(0.2, 0.98, shape[0] * shape[1]).reshape(shape)
    distill = cc[::-1, ::-1] * 0.9

    def summary(mean: np.ndarray) -> MeanCIGrid:
        return MeanCIGrid(mean.tolist(), (mean - 0.01).tolist(), (mean + 0.01).tolist())

    noise = report.measurement("additive-noise/sweep", NoiseSweep)
    students = {
        f"cc top-{k}": MeanCI(
            list(np.linspace(0.95, 0.5 + 0.1 * k, len(noise.sigmas))),
            list(np.linspace(0.93, 0.45 + 0.1 * k, len(noise.sigmas))),
            list(np.linspace(0.97, 0.55 + 0.1 * k, len(noise.sigmas))),
        )
        for k in (1, 2, 3)
    }
    collapse = report.measurement("learnability/collapse", Collapse)
    # the paper suite's many rows, some with equal floors (here: copies)
    floors = report.measurement("floors/width", FloorsByWidth)
    more = [dataclasses.replace(r, teacher=t) for t in TEACHERS for r in floors.rows]
    more += [dataclasses.replace(r, world="checkerboard", teacher="sbt") for r in floors.rows]
    return with_measurements(
        report,
        {
            "partial-labels/grid": dataclasses.replace(
                grid, cc=summary(cc), distill=summary(distill), n=3000, sizes=[300, 3000]
            ),
            "additive-noise/sweep": dataclasses.replace(noise, students=students, n=3000),
            "floors/width": dataclasses.replace(floors, rows=more),
            "learnability/collapse": dataclasses.replace(
                collapse, best_power=1.7, spread_at_best_power=0.0123
            ),
        },
    )


@pytest.fixture(scope="module")
def quick(quick_report: tuple[int, dict, str, Path]) -> Report:
    return load_report(quick_report[3])


@pytest.fixture(scope="module")
def paper_like(quick: Report) -> Report:
    return _paper_like(quick)


class Figures:
    """The figures of both reports, each drawn when a test first asks for it."""

    def __init__(self, reports: dict[str, Report], out: Path) -> None:
        self.reports, self.out, self.cache = reports, out, dict[tuple[str, str], Drawn]()

    def __getitem__(self, key: tuple[str, str]) -> Drawn:
        which, name = key
        if key not in self.cache:
            report = self.reports[which]
            spec = next(s for s in figures.all_figures() if s.name == name)
            missing = set(spec.needs) - {c.id for c in report.claims}
            if missing:  # test_figures requires the quick suite to make them
                pytest.skip(f"the quick suite lacks {', '.join(sorted(missing))}")
            self.cache[key] = draw(report, name, self.out / which)
        return self.cache[key]


@pytest.fixture(scope="module")
def drawn(quick: Report, paper_like: Report, tmp_path_factory: pytest.TempPathFactory) -> Figures:
    return Figures({"quick": quick, "paper-like": paper_like}, tmp_path_factory.mktemp("figs"))


def _panels(fig: Figure) -> list[Axes]:
    """The figure's plotting panels (not its colour bars)."""
    return [ax for ax in fig.axes if ax.get_label() != "<colorbar>"]


def _points(artist: Line2D | PathCollection) -> np.ndarray:
    """A curve's or a scatter's data points in display coordinates."""
    if isinstance(artist, Line2D):
        xy = np.column_stack([artist.get_xdata(), artist.get_ydata()]).astype(float)
        return np.asarray(artist.get_transform().transform(xy))
    return np.asarray(artist.get_offset_transform().transform(artist.get_offsets()))


def _data(ax: Axes) -> list[Line2D | PathCollection]:
    """The panel's curves and scatters (not its bands, images or legend handles)."""
    return [*ax.get_lines(), *(c for c in ax.collections if isinstance(c, PathCollection))]


def _same(a: Any, b: Any) -> bool:
    return bool(np.allclose(np.asarray(a, float), np.asarray(b, float), equal_nan=True))


# ----------------------------------------------------------------- every figure, either report

CASES = [(which, name) for which in ("quick", "paper-like") for name in NAMES]


@pytest.mark.parametrize(("which", "name"), CASES)
def test_no_text_overlaps_another(drawn: Figures, which: str, name: str) -> None:
    d = drawn[which, name]
    assert len(d.texts) > 10, "the figure drew almost no text: the check would be empty"
    boxes = [(t, d.extent(t).padded(-0.5)) for t in d.texts]
    clashes = [
        f"{a.get_text()!r} and {b.get_text()!r}"
        for (a, box_a), (b, box_b) in itertools.combinations(boxes, 2)
        if box_a.overlaps(box_b)
    ]
    assert not clashes, f"{name}: overlapping texts: {'; '.join(clashes[:5])}"


@pytest.mark.parametrize(("which", "name"), CASES)
def test_every_text_is_inside_the_figure(drawn: Figures, which: str, name: str) -> None:
    d = drawn[which, name]
    page = d.fig.bbox.padded(1.0)
    cut = [t.get_text() for t in d.texts if not page.contains(*d.extent(t).min)]
    cut += [t.get_text() for t in d.texts if not page.contains(*d.extent(t).max)]
    legends = d.fig.findobj(Legend)
    cut += [f"legend {i}" for i, lg in enumerate(legends) if not page.fully_overlaps(d.extent(lg))]
    assert not cut, f"{name}: cut off at the figure's edge: {cut[:5]}"


@pytest.mark.parametrize(("which", "name"), CASES)
def test_no_legend_covers_data(drawn: Figures, which: str, name: str) -> None:
    d = drawn[which, name]
    legends = d.fig.findobj(Legend)
    assert legends, f"{name} has no legend"
    for legend, ax in itertools.product(legends, _panels(d.fig)):
        box = d.extent(legend)
        for artist in _data(ax):
            inside = [p for p in _points(artist) if np.isfinite(p).all() and box.contains(*p)]
            assert not inside, f"{name}: a legend covers data of {artist.get_gid() or artist}"


@pytest.mark.parametrize(("which", "name"), CASES)
def test_every_panel_names_its_axes_and_shows_data(drawn: Figures, which: str, name: str) -> None:
    for ax in _panels(drawn[which, name].fig):
        assert ax.get_xlabel().strip() and ax.get_ylabel().strip(), f"{name}: unlabelled axis"
        # a measurement (its artist has a gid), not just a reference line or a legend proxy
        measured = [
            a
            for a in _data(ax)
            if a.get_gid() not in (None, "boundary", "tolerance") and np.isfinite(_points(a)).any()
        ]
        assert measured or any(isinstance(a, AxesImage) for a in ax.images), f"{name}: empty"


# ----------------------------------------------------------------- each figure's numbers


def test_self_training_traces_each_fractions_rounds_in_order(drawn: Figures, quick: Report) -> None:
    d = drawn["quick", "self-training"]
    m = quick.measurement("incomplete/self-training", SelfTraining)
    keys = [f"{p:g}" for p in m.fractions]
    markers = set()
    for p in keys:
        line = d.gid(f"rho:{p}")
        x, y = line.get_xdata(), line.get_ydata()
        assert _same(x, [m.by_fraction(r.delta)[p] for r in m.trajectory])
        assert _same(y, [m.by_fraction(r.gamma_cls)[p] for r in m.trajectory])
        ax = line.axes
        assert ax.get_title().splitlines()[0] == f"p = {p}"
        # scaled to this fraction's points: they span most of each axis, wherever they lie
        for values, (lo, hi) in ((x, ax.get_xlim()), (y, ax.get_ylim())):
            assert lo <= min(values) and max(values) <= hi
            if np.ptp(values) > 0:
                assert np.ptp(values) >= 0.5 * (hi - lo), f"p = {p}: the points are a dot"
        for t in range(len(x) - 1):
            arrow = d.gid(f"rho-step:{p}:{t}")
            assert isinstance(arrow, Annotation) and arrow.axes is ax
            assert _same(arrow.xyann, (x[t], y[t])) and _same(arrow.xy, (x[t + 1], y[t + 1]))
        accuracy = d.gid(f"accuracy:{p}")
        assert _same(accuracy.get_ydata(), [m.by_fraction(r.accuracy)[p] for r in m.trajectory])
        markers.add(accuracy.get_marker())
    assert len({d.gid(f"rho:{p}").axes for p in keys}) == len(keys), "one panel per p"
    # accuracies of neighbouring fractions coincide: each needs its own marker to show
    assert len(markers) == len(keys)


def _cell_texts(d: Drawn, ax: Axes) -> dict[tuple[float, float], str]:
    return {t.get_position(): t.get_text() for t in ax.texts if str(t.get_gid()).startswith("cell")}


def _assert_line_hides_no_number(d: Drawn, ax: Axes) -> None:
    line = next(a for a in ax.get_lines() if a.get_gid() == "boundary")
    assert _same(line.get_ydata(), 1 - np.asarray(line.get_xdata()))
    ends = np.asarray(line.get_xdata(), float)[[0, -1]]
    x = np.linspace(ends[0], ends[1], 400)
    path = line.get_transform().transform(np.column_stack([x, 1 - x]))
    crossed = [t for t in ax.texts if any(d.extent(t).contains(*p) for p in path)]
    assert crossed, "the grid has no cell on the line: nothing to check"
    for t in crossed:  # the number is drawn over the line, on an opaque patch
        patch = t.get_bbox_patch()
        assert t.get_zorder() > line.get_zorder(), t.get_text()
        assert patch is not None and to_rgba(patch.get_facecolor())[3] == 1.0, t.get_text()


def test_partial_grid_cells_hold_the_set_risk_outcomes(drawn: Figures, quick: Report) -> None:
    d = drawn["quick", "partial-label-grid"]
    m = quick.measurement("partial-labels/grid", PartialGrid)
    (ax,) = _panels(d.fig)
    words = {"consistent": "yes", "inconsistent": "no", "undetermined": "?"}
    expected = {
        (g, delta): words[m.set_risk[i][j]]
        for i, delta in enumerate(m.deltas)
        for j, g in enumerate(m.gammas)
    }
    assert _cell_texts(d, ax) == expected
    _assert_line_hides_no_number(d, ax)


def test_partial_grid_cells_hold_the_students_accuracy(drawn: Figures, paper_like: Report) -> None:
    d = drawn["paper-like", "partial-label-grid"]
    m = paper_like.measurement("partial-labels/grid", PartialGrid)
    panels = _panels(d.fig)
    assert len(panels) == 2
    for ax, summary in zip(panels, (m.cc, m.distill), strict=True):
        assert summary is not None
        expected = {
            (g, delta): f"{summary.mean[i][j]:.2f}"
            for i, delta in enumerate(m.deltas)
            for j, g in enumerate(m.gammas)
        }
        assert _cell_texts(d, ax) == expected
        _assert_line_hides_no_number(d, ax)
    left, right = (d.extent(ax.xaxis.label) for ax in panels)
    assert not left.overlaps(right), "the two x-axis labels overlap"


def test_phase_diagram_draws_every_share_visibly(drawn: Figures, quick: Report) -> None:
    d = drawn["quick", "phase-diagram"]
    m = quick.measurement("conditions/phase", Phase)
    lines = {}
    for family, counts in m.families.items():
        line = d.gid(f"phase:{family}")
        decided = np.asarray(counts.decided, float)
        share = np.where(decided > 0, np.divide(counts.consistent, np.maximum(decided, 1)), np.nan)
        assert _same(line.get_ydata(), share), family
        lines[family] = line
    assert len({line.get_marker() for line in lines.values()}) == len(lines)
    hidden = 0
    for (a, below), (b, above) in itertools.combinations(lines.items(), 2):
        ya, yb = below.get_ydata(), above.get_ydata()
        both = np.isfinite(ya) & np.isfinite(yb)
        equal = both & np.isclose(ya, yb)
        if not equal.any():
            continue
        # where they coincide, the one underneath shows around the one on top
        assert above.get_zorder() > below.get_zorder(), (a, b)
        assert below.get_linewidth() > above.get_linewidth() + 1.5, (a, b)
        assert below.get_markersize() > above.get_markersize() + 2, (a, b)
        if 2 * equal.sum() >= both.sum():  # mostly hidden: the legend says so
            assert f"on top of {figures._plots.SHORT[a]}" in above.get_label(), (a, b)
            hidden += 1
    assert hidden, "no curve lies on another in these results: the check would be empty"


def test_consistency_curves_and_coinciding_floors(drawn: Figures, quick: Report) -> None:
    d = drawn["quick", "consistency-curves"]
    for ax, learner in zip(_panels(d.fig), ("cc", "distill"), strict=True):
        dashes, xs = set(), []
        for i, teacher in enumerate(TEACHERS):
            grid = quick.measurement(f"consistency/{teacher}/{learner}", Consistency).grid
            (students,) = [a for a in ax.get_lines() if a.get_gid() == f"students:{teacher}"]
            x = np.asarray(students.get_xdata(), float)
            assert _same(x, np.asarray(grid.sizes) * figures._plots.dodge(i, len(TEACHERS)))
            assert np.all(np.abs(x / grid.sizes - 1) < 0.1), "dodged too far from its n"
            xs.append(x)
            assert _same(students.get_ydata(), grid.disagreement_with_bayes.mean)
            (floor,) = [a for a in ax.get_lines() if a.get_gid() == f"floor:{teacher}"]
            assert _same(floor.get_ydata(), [max(grid.floor.value, 1e-4)] * 2)
            assert floor.get_color() == students.get_color()
            offset, pattern = vars(floor)["_dash_pattern"]  # matplotlib has no getter
            dashes.add((offset, tuple(pattern)))
        # floors can coincide (here: those of two teachers of CC students); their dashes
        # interleave, so each colour shows
        assert len(dashes) == len(TEACHERS)
        assert len({pattern[0] for pattern in dashes}) == len(TEACHERS)
        # students of different teachers can coincide too: markers and positions differ
        assert all(len(set(column)) == len(TEACHERS) for column in zip(*xs, strict=True))
        markers = {
            line.get_marker() for line in ax.get_lines() if "students" in str(line.get_gid())
        }
        assert len(markers) == len(TEACHERS)


def test_learning_curves_plot_the_excess_errors(drawn: Figures, quick: Report) -> None:
    d = drawn["quick", "learning-curves"]
    m = quick.measurement("learnability/margin", LearningCurves)
    for i, curve in enumerate(m.curves):
        line = d.gid(f"curve:{i}")
        assert _same(line.get_ydata(), curve.excess_error.mean)
        assert f"{curve.margin:.2f}" in line.get_label() and MARGIN in line.get_label()
        assert _same(d.gid(f"floor:{i}").get_ydata(), [max(curve.floor.value, 1e-4)] * 2)


@pytest.mark.parametrize("which", ["quick", "paper-like"])
def test_collapse_multiplies_by_the_named_power(
    drawn: Figures, quick: Report, paper_like: Report, which: str
) -> None:
    report = {"quick": quick, "paper-like": paper_like}[which]
    d = drawn[which, "learning-curve-collapse"]
    m = report.measurement("learnability/margin", LearningCurves)
    collapse = report.measurement("learnability/collapse", Collapse)
    powers = [0.0, 1.0] + ([collapse.best_power] if collapse.best_power not in (0, 1) else [])
    panels = _panels(d.fig)
    assert len(panels) == len(powers)
    for ax, power in zip(panels, powers, strict=True):
        want = "estimation error" + (f" x {MARGIN}^{power:g}" if power else "")
        assert ax.get_ylabel() == want
        for i, curve in enumerate(curves := [c for c in m.curves if c.margin > 0]):
            line = d.gid(f"collapse:{power:g}:{i}")
            assert line.axes is ax
            expected = np.asarray(curve.estimation.disagreement.mean) * curve.margin**power
            assert _same(line.get_ydata(), expected)
        assert len(ax.get_lines()) == len(curves)
    titles = [ax.get_title() for ax in panels]
    assert f"{collapse.spread_raw:.3f}" in titles[0]
    assert f"{collapse.spread_times_margin:.3f}" in titles[1]
    best = next(i for i, p in enumerate(powers) if p == collapse.best_power)
    assert "the best tried" in titles[best]
    assert f"{collapse.spread_at_best_power:.3f}" in titles[best]


@pytest.mark.parametrize("which", ["quick", "paper-like"])
def test_additive_noise_closed_forms_and_monte_carlo(
    drawn: Figures, quick: Report, paper_like: Report, which: str
) -> None:
    report = {"quick": quick, "paper-like": paper_like}[which]
    d = drawn[which, "additive-noise"]
    m = report.measurement("additive-noise/sweep", NoiseSweep)
    for k in m.ks:
        rows = sorted((r for r in m.rows if r.k == k), key=lambda r: r.sigma)
        closed = d.gid(f"closed-form:{k}")
        assert _same(closed.get_xdata(), [r.sigma for r in rows])
        assert _same(closed.get_ydata(), [r.delta + r.gamma for r in rows])
        mc = d.gid(f"monte-carlo:{k}").get_offsets()
        assert _same(mc[:, 1], [r.delta_mc.value + r.gamma_cls_mc.value for r in rows])
    boundary = d.gid("boundary")
    lo, hi = boundary.axes.get_ylim()
    assert lo < 1 < hi and d.extent(boundary).y0 < boundary.axes.bbox.y1 - 3, "on the frame"
    panels = _panels(d.fig)
    assert len(panels) == (2 if m.students else 1), "a panel without students is empty"
    for name, summary in m.students.items():
        assert _same(d.gid(f"student:{name}").get_ydata(), summary.mean)


def test_sbt_training_plots_every_checkpoint(drawn: Figures, quick: Report) -> None:
    d = drawn["quick", "sbt-training"]
    m = quick.measurement("sbt/headline", Headline)
    assert len(m.runs) > 1, "one teacher: the mean over teachers is not drawn"
    for gid, value in (
        ("teacher-train", lambda r: r.teacher_top1_train),
        ("teacher-heldout", lambda r: r.teacher_top1_heldout),
        ("delta", lambda r: r.delta),
        ("gamma-cls", lambda r: r.gamma_cls),
        ("sum", lambda r: r.delta + r.gamma_cls),
        ("cc", lambda r: r.student_cc),
        ("distill", lambda r: r.student_distill),
    ):
        per_run = []
        for i, run in enumerate(m.runs):
            line = d.gid(f"{gid}:{i}")
            assert _same(line.get_xdata(), [r.step for r in run.checkpoints])
            assert _same(line.get_ydata(), [value(r) for r in run.checkpoints]), gid
            per_run.append(line)
        mean = d.gid(f"{gid}:mean")
        assert _same(mean.get_ydata(), np.mean([line.get_ydata() for line in per_run], axis=0))
        # the mean stands out of the seeds' thicket
        assert all(mean.get_linewidth() > line.get_linewidth() for line in per_run)
        assert all((mean.get_alpha() or 1.0) > (line.get_alpha() or 1.0) for line in per_run)
    for i, run in enumerate(m.runs):
        assert _same(d.gid(f"truth:{i}").get_ydata(), [run.oracle_accuracy] * 2)
    chosen = {at.step for run in m.runs if (at := run.at_choice()) is not None}
    assert {line.get_xdata()[0] for line in d.gids("chosen:")} == chosen
    assert _same(d.gid("bar").get_ydata(), [0.3, 0.3])
    # each quantity on its own scale: top-1 accuracy, the indicators, the students
    panels = {d.gid(f"{gid}:0").axes for gid in ("teacher-train", "delta", "cc")}
    assert len(panels) == 3


@pytest.mark.parametrize("which", ["quick", "paper-like"])
def test_floors_and_the_tolerance_are_visible(
    drawn: Figures, quick: Report, paper_like: Report, which: str
) -> None:
    d = drawn[which, "floors-width"]
    m = {"quick": quick, "paper-like": paper_like}[which].measurement("floors/width", FloorsByWidth)
    shifts = []
    for i, row in enumerate(m.rows):
        line = d.gid(f"floor:{i}")
        assert _same(line.get_ydata(), [max(f.value, 1e-4) for f in row.floors])
        shift = np.asarray(line.get_xdata(), float) - np.arange(len(m.widths) + 1)
        assert np.ptp(shift) < 1e-12 and abs(shift[0]) <= 0.15, "not at its student class"
        shifts.append(shift[0])
    # rows whose floors coincide stay apart
    assert len(m.rows) == 1 or len(set(shifts)) == len(m.rows)
    markers = [d.gid(f"floor:{i}").get_marker() for i in range(len(m.rows))]
    assert len(set(markers)) == len(markers)
    tolerance = d.gid("tolerance")
    ax = tolerance.axes
    assert _same(tolerance.get_ydata(), [0.005, 0.005])
    # above the bottom frame by more than a line's width, not drawn into it
    assert d.extent(tolerance).y0 > ax.bbox.y0 + 5
