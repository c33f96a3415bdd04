"""Certificates: bounds on a student's true error from its teacher's labels alone
(docs/theory.md section 4b), checked against the true error on synthetic worlds.

Linear CC students of the consistency claims' four teachers (each class-conditional, so
its ``gamma``, ``Delta`` and ``Delta_max`` are known in closed form) are certified, many
times over, on fresh teacher-labelled inputs of their own training size ``n``: with the
true indicators (C1 and C2) and with the indicators estimated from labelled rows as a
class-conditional labeler allows. The true error is the students' disagreement with the
Bayes classifier on a large held-out sample (the world's labels are deterministic).

A fixed classifier on a two-class world, and a teacher that depends on ``x`` (more
ambiguous exactly where the classifier errs), show what the class-conditional estimate
does when its assumption fails: ``gamma_cls`` is then below ``gamma``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

import theory
from synth import RealizableLinear, RegionTeacher, SkillfulButBad
from verify._progress import advance
from verify._records import MeanCI
from verify._registry import register
from verify._spec import CellContext, CellSpec, ClaimSpec, Judgement, confirmed, refuted, silent
from verify._students import class_indicators, student_grid
from verify._train import predict
from verify.claims._trained import SETTINGS, WORLD, C, P
from verify.claims._training import LINEAR

#: Every certificate is computed at this confidence.
NOMINAL = 0.95
#: ``certificate/tightness``: C2 within this factor of the true error at the largest ``n``.
RATIO_BAR = 2.0
#: What is counted per trial, and the share of trials each must cover if the statement
#: holds: the two bounds with the true indicators, both bounds with the class-conditional
#: estimate, and each of the estimate's three ingredients on its own (a quarter of the
#: error probability each, the fourth being the set risk's).
KINDS: dict[str, float] = {
    "c1": NOMINAL,
    "c2": NOMINAL,
    "class-conditional": NOMINAL,
    "gamma bound": 1 - (1 - NOMINAL) / 4,
    "Delta_max bound": 1 - (1 - NOMINAL) / 4,
    "Delta bound": 1 - (1 - NOMINAL) / 4,
}


@dataclass(frozen=True)
class CertifiedStudents:
    """One teacher's students of one size ``n``, each certified ``repeats`` times on ``n``
    fresh teacher-labelled inputs (lists over seeds: means over the repeats).

    Attributes:
      teacher, n: the case.
      true_error: ``[seeds]`` each student's error on the held-out sample.
      set_risk: ``[seeds]`` mean measured top-k (set) risk.
      c1, c2: ``[seeds]`` mean bounds with the true indicators.
      cls_c1, cls_c2: ``[seeds]`` mean bounds with the indicators estimated from the first
        ``labelled`` rows as for a class-conditional labeler (1 where C2 does not apply).
      covered: per kind of :data:`KINDS`, how many (seed, repeat) trials had the bound at or
        above the true error (``class-conditional``: both of its bounds; the ``... bound``
        kinds: the estimate's bound on that indicator on its side of the true value).
      sharp: ``[seeds]`` share of the student's held-out errors whose wrong label has
        membership ``gamma``: where the sandwich, hence C2, is tight (1 for a teacher
        whose wrong labels are exchangeable).
      trials: seeds times repeats.
      theorem_l: Theorem L's bound for exact ERM of the top-k 0/1 loss on ``n`` points
        (Natarajan dimension of the linear class, confidence :data:`NOMINAL`): a bound for
        another learner at the same ``n``, shown beside the certificates, not a bound on
        these CC students.
    """

    teacher: str
    n: int
    true_error: list[float]
    set_risk: list[float]
    c1: list[float]
    c2: list[float]
    cls_c1: list[float]
    cls_c2: list[float]
    covered: dict[str, int]
    trials: int
    theorem_l: float
    sharp: list[float]


@dataclass(frozen=True)
class Certificates:
    """Certified students for every teacher and size.

    Attributes:
      teachers, describe: the teachers' names and descriptions.
      gamma, delta, delta_max: their indicators (closed form), per teacher.
      sizes, seeds, repeats, labelled: the grid (``labelled``: rows with true labels the
        class-conditional estimate uses, at most ``n``).
      cases: teacher-major, then size.
    """

    teachers: list[str]
    describe: list[str]
    gamma: list[float]
    delta: list[float]
    delta_max: list[float]
    sizes: list[int]
    seeds: int
    repeats: int
    labelled: int
    cases: list[CertifiedStudents]

    def case(self, teacher: str, n: int) -> CertifiedStudents:
        """The case of ``teacher`` at size ``n``."""
        for c in self.cases:
            if c.teacher == teacher and c.n == n:
                return c
        raise KeyError(f"no case ({teacher!r}, {n})")


def _certify_many(
    h: np.ndarray, d: np.ndarray, y: np.ndarray, rule: theory.SetRule, labelled: int, ind: dict
) -> dict[str, np.ndarray]:
    """``R`` certifications at once, as ``theory.certify`` and
    ``theory.certify_class_conditional`` make each: ``h [R, n]``, ``d [R, n, c]``,
    ``y [R, n]``."""
    r, n, c = d.shape
    misses = ~np.asarray(rule.contains(d.reshape(-1, c), h.ravel()), dtype=bool).reshape(r, n)
    count = misses.sum(axis=1)
    known = theory.known_bounds(count, n, **ind, confidence=NOMINAL)
    m = min(labelled, n)
    sets = np.asarray(rule(d[:, :m].reshape(-1, c)), dtype=bool).reshape(r, m, c)
    inside, per_class = theory.class_counts(y[:, :m], sets)
    cls = theory.class_conditional_certificate_bounds(
        count, n, inside, per_class, confidence=NOMINAL
    )
    return {
        "set_risk": count / n,
        "c1": known.c1,
        "c2": np.nan_to_num(known.c2, nan=1.0),  # where C2 does not apply it bounds nothing: 1
        "cls_c1": cls.c1,
        "cls_c2": np.nan_to_num(cls.c2, nan=1.0),
        "cls_gamma": cls.gamma,
        "cls_delta_max": cls.delta_max,
        "cls_delta": cls.delta,
    }


def compute_certificates(ctx: CellContext) -> Certificates:
    """Train the students, then certify each ``repeats`` times on fresh inputs."""
    world = RealizableLinear.random(C, P, rng=11)
    sizes, seeds = list(ctx.size("sizes")), int(ctx.size("seeds"))
    repeats, labelled = int(ctx.size("repeats")), int(ctx.size("labelled"))
    x_eval, y_eval = world.sample(ctx.size("eval"), rng=np.random.default_rng(ctx.seed("eval")))
    settings = [(s.name, s.describe, s.teacher(), s.rule) for s in SETTINGS]
    curves = student_grid(
        world,
        [(t, rule) for _, _, t, rule in settings],
        "cc",
        sizes=sizes,
        seeds=[ctx.seed("students", i) for i in range(seeds)],
        x_eval=x_eval,
        cfg=LINEAR,
    )
    dim = theory.linear_natarajan_dim(C, P)
    indicators, cases = [], []
    for (name, _, teacher, rule), curve in zip(settings, curves, strict=True):
        table = teacher.membership(np.zeros((1, P)), rule)[0]  # [c, c]: m[y, j]
        ind = class_indicators(table)
        indicators.append(ind)
        error = curve.disagreement(y_eval)  # [S, R]
        wrong = curve.predictions != y_eval  # [S, R, m]
        on_sharp = table[y_eval, curve.predictions] >= ind["gamma"] - 1e-9
        sharp = (wrong & on_sharp).sum(-1) / np.maximum(wrong.sum(-1), 1)  # [S, R]
        for s, n in enumerate(sizes):
            per_seed: dict[str, list[float]] = {}
            covered = dict.fromkeys(KINDS, 0)
            # the class-conditional estimate's ingredients against the true indicators
            sides = {
                "gamma bound": ("cls_gamma", ind["gamma"], 1),
                "Delta_max bound": ("cls_delta_max", ind["delta_max"], 1),
                "Delta bound": ("cls_delta", ind["delta"], -1),
            }
            for r in range(seeds):
                rng = np.random.default_rng(ctx.seed("certify", name, n, r))
                x, y = world.sample(repeats * n, rng=rng)
                d = teacher.sample(x, y, rng=rng)
                params = {k: v[s, r][None] for k, v in curve.params.items()}
                h = predict(LINEAR, params, x.T)[0]
                b = _certify_many(
                    h.reshape(repeats, n),
                    d.reshape(repeats, n, C),
                    y.reshape(repeats, n),
                    rule,
                    labelled,
                    ind,
                )
                truth = error[s, r]
                covered["c1"] += int((b["c1"] >= truth).sum())
                covered["c2"] += int((b["c2"] >= truth).sum())
                covered["class-conditional"] += int(
                    ((b["cls_c1"] >= truth) & (b["cls_c2"] >= truth)).sum()
                )
                for kind, (key, true_value, side) in sides.items():
                    covered[kind] += int((side * (b.pop(key) - true_value) >= -1e-12).sum())
                for key, values in b.items():
                    per_seed.setdefault(key, []).append(float(values.mean()))
                advance("students certified")
            eps = theory.natarajan_epsilon(n, dim, C, 1 - NOMINAL)
            cases.append(
                CertifiedStudents(
                    teacher=name,
                    n=n,
                    true_error=error[s].tolist(),
                    set_risk=per_seed["set_risk"],
                    c1=per_seed["c1"],
                    c2=per_seed["c2"],
                    cls_c1=per_seed["cls_c1"],
                    cls_c2=per_seed["cls_c2"],
                    covered=covered,
                    trials=seeds * repeats,
                    theorem_l=theory.theorem_l_bound(eps, ind["gamma"], ind["delta_max"]),
                    sharp=sharp[s].tolist(),
                )
            )
    return Certificates(
        teachers=[s[0] for s in settings],
        describe=[s[1] for s in settings],
        gamma=[i["gamma"] for i in indicators],
        delta=[i["delta"] for i in indicators],
        delta_max=[i["delta_max"] for i in indicators],
        sizes=sizes,
        seeds=seeds,
        repeats=repeats,
        labelled=labelled,
        cases=cases,
    )


# -- certificate/coverage -------------------------------------------------------------


# -- certificate/tightness ------------------------------------------------------------


def ratios(m: Certificates, teacher: str, n: int, bound: str) -> MeanCI:
    """``bound / true error`` over the seeds of one case (a one-row :class:`MeanCI`)."""
    c = m.case(teacher, n)
    values = np.asarray(getattr(c, bound)) / np.maximum(np.asarray(c.true_error), 1e-12)
    return MeanCI.over_seeds(values[None])


def judge_tightness(m: Certificates, bar: float) -> Judgement:
    """At the largest ``n``, per teacher: refuted when the C2 / true-error ratio's interval
    lies above ``bar``; confirmed when every ratio's interval lies at or below ``bar``;
    silent when an interval straddles it. (Theorem L's bound is reported beside it, not
    judged: it bounds exact ERM, not these students, and is above 1 at every size run.)"""
    n = max(m.sizes)
    straddles = []
    for t in m.teachers:
        r = ratios(m, t, n, "c2")
        if r.ci_low[0] > bar:
            return refuted(
                f"{t}: C2 is {r.mean[0]:.2f}x the true error at n = {n} "
                f"[{r.ci_low[0]:.2f}, {r.ci_high[0]:.2f}], above {bar}x"
            )
        if r.ci_high[0] > bar:
            straddles.append(t)
    if straddles:
        return silent(f"the C2 ratio's interval straddles {bar}x for {', '.join(straddles)}")
    return confirmed(f"C2 within {bar}x of the true error at n = {n} for every teacher")


def _tightness_summary(m: Certificates) -> str:
    n = max(m.sizes)
    parts = []
    for t in m.teachers:
        c = m.case(t, n)
        parts.append(
            f"{t} {np.mean(c.true_error):.3f}: C2 {np.mean(c.c2):.3f} "
            f"({ratios(m, t, n, 'c2').mean[0]:.2f}x; errors where C2 is tight "
            f"{np.mean(c.sharp):.2f}), C1 {np.mean(c.c1):.3f} "
            f"({ratios(m, t, n, 'c1').mean[0]:.2f}x)"
        )
    smallest = min(c.theorem_l for c in m.cases)
    return (
        f"at n = {n}, true error and certificates: "
        + "; ".join(parts)
        + f"; Theorem L's bound (exact ERM, same n) is at least {smallest:.2f}"
    )


def _tightness_table(m: Certificates) -> str:
    lines = [
        "Means over seeds: true error, then C2 / C1 / Theorem L (for exact ERM at the same "
        "n) as multiples of it, and the share of the errors on a wrong label of membership "
        "gamma (where C2 is tight).",
        "",
        "| teacher | n | true error | C2 | C1 | Theorem L | errors where C2 is tight |",
        "|---|---|---|---|---|---|---|",
    ]
    for c in m.cases:
        err = float(np.mean(c.true_error))
        lines.append(
            f"| {c.teacher} | {c.n} | {err:.3f} | {np.mean(c.c2) / err:.2f}x | "
            f"{np.mean(c.c1) / err:.2f}x | {c.theorem_l / err:.1f}x | {np.mean(c.sharp):.2f} |"
        )
    return "\n".join(lines)


CELL = CellSpec("certificate/students", Certificates, compute_certificates)

register(
    ClaimSpec(
        id="certificate/tightness",
        status="extension",
        title="C2 is within a small factor of the true error where Theorem L is vacuous",
        section="4b",
        statement="Beyond the paper: C2, built from the teacher's labels alone, bounds a "
        "student's true error within a small factor at sample sizes where Theorem L's "
        "bound (for exact ERM at the same n) is above 1. In the limit C2 equals the true "
        "error when the student's errors fall on wrong labels of membership gamma (every "
        "error, for a teacher whose wrong labels are exchangeable), and exceeds it "
        "otherwise.",
        predicts=f"at the largest n, for every teacher: C2 / true error at most {RATIO_BAR} "
        "(mean over seeds, with its interval)",
        prediction=RATIO_BAR,
        needs=(CELL,),
        measurement=Certificates,
        judge=judge_tightness,
        summary=_tightness_summary,
        table=_tightness_table,
        setting={"as": "certificate/coverage"},
    )
)


# -- certificate/x-dependent -------------------------------------------------------------


@dataclass(frozen=True)
class XDependent:
    """A fixed classifier certified by a teacher that depends on ``x``.

    Attributes:
      describe: the world, classifier and teacher.
      sizes, repeats, labelled: the grid.
      true_error: the classifier's error, exact (``P(x_0 > 1)``).
      gamma, delta, delta_max: the teacher's true (pointwise) indicators, exact; gamma_cls:
        its class-level ambiguity (on the held-out sample).
      violated_cls_c1, violated_cls_c2: per ``n``, trials where the class-conditional
        estimate's C1 (C2) fell below the true error; violated_true: trials where C1 or C2
        with the true indicators did.
      cls_c1, true_c1: per ``n``, mean C1 of each.
    """

    describe: str
    sizes: list[int]
    repeats: int
    labelled: int
    true_error: float
    gamma: float
    delta: float
    delta_max: float
    gamma_cls: float
    violated_cls_c1: list[int]
    violated_cls_c2: list[int]
    violated_true: list[int]
    cls_c1: list[float]
    true_c1: list[float]


#: The x-dependent case: two classes; the classifier errs exactly where ``x_0 > 1``; there
#: the top-1 label is the wrong one with probability ``INSIDE``, elsewhere ``OUTSIDE``.
INSIDE, OUTSIDE = 0.45, 0.05
X_DESCRIBE = (
    "RealizableLinear.random(2, 5, rng=12); h = f* except on A = {x_0 > 1}, where h is "
    f"wrong; teacher: top-1 wrong w.p. {INSIDE} on A, {OUTSIDE} elsewhere (k = 1)"
)


def _on_a(x: np.ndarray) -> np.ndarray:
    """Whether each input lies in ``A = {x_0 > 1}``, where the classifier errs."""
    return np.asarray(x)[:, 0] > 1.0


def _x_dependent_setting() -> tuple[RealizableLinear, RegionTeacher]:
    world = RealizableLinear.random(2, 5, rng=12)

    def region(x: np.ndarray) -> np.ndarray:
        return _on_a(x).astype(np.int64)

    teacher = RegionTeacher(
        [
            SkillfulButBad(2, 1, accuracy=1 - OUTSIDE, delta=OUTSIDE),
            SkillfulButBad(2, 1, accuracy=1 - INSIDE, delta=INSIDE),
        ],
        region,
    )
    return world, teacher


def compute_x_dependent(ctx: CellContext) -> XDependent:
    """Certify the fixed classifier ``repeats`` times per size, both ways."""
    world, teacher = _x_dependent_setting()
    rule = theory.TopK(1)
    sizes, repeats, labelled = (
        list(ctx.size("sizes")),
        int(ctx.size("repeats")),
        int(ctx.size("labelled")),
    )
    x_eval, y_eval = world.sample(ctx.size("eval"), rng=np.random.default_rng(ctx.seed("eval")))
    # x ~ N(0, I): h errs on A = {x_0 > 1}, of probability 1 - Phi(1) exactly, and
    # Delta = E[P(top-1 wrong | x)] follows from it
    true_error = float(stats.norm.sf(1.0))
    ind = {
        "gamma": INSIDE,
        "delta_max": INSIDE,
        "delta": OUTSIDE + (INSIDE - OUTSIDE) * true_error,
    }
    m_wrong = np.where(_on_a(x_eval), INSIDE, OUTSIDE)
    gamma_cls = max(float(m_wrong[y_eval == y].mean()) for y in (0, 1))  # [held-out estimate]
    violated_c1, violated_c2, violated_true, cls_c1, true_c1 = [], [], [], [], []
    for n in sizes:
        rng = np.random.default_rng(ctx.seed("certify", n))
        x, y = world.sample(repeats * n, rng=rng)
        d = teacher.sample(x, y, rng=rng)
        h = np.where(_on_a(x), 1 - y, y)
        b = _certify_many(
            h.reshape(repeats, n),
            d.reshape(repeats, n, 2),
            y.reshape(repeats, n),
            rule,
            labelled,
            ind,
        )
        violated_true.append(int(((b["c1"] < true_error) | (b["c2"] < true_error)).sum()))
        violated_c1.append(int((b["cls_c1"] < true_error).sum()))
        violated_c2.append(int((b["cls_c2"] < true_error).sum()))
        cls_c1.append(float(b["cls_c1"].mean()))
        true_c1.append(float(b["c1"].mean()))
        advance("sizes certified")
    return XDependent(
        describe=X_DESCRIBE,
        sizes=sizes,
        repeats=repeats,
        labelled=labelled,
        true_error=true_error,
        gamma=INSIDE,
        delta=ind["delta"],
        delta_max=INSIDE,
        gamma_cls=gamma_cls,
        violated_cls_c1=violated_c1,
        violated_cls_c2=violated_c2,
        violated_true=violated_true,
        cls_c1=cls_c1,
        true_c1=true_c1,
    )


X_CELL = CellSpec("certificate/x-dependent", XDependent, compute_x_dependent)


def judge_x_dependent(m: XDependent, nominal: float) -> Judgement:
    """Refuted when, at some ``n``, the class-conditional C1 or C2 fails more often than
    ``1 - nominal`` beyond its Clopper-Pearson interval; confirmed when every failure
    rate's interval lies at or below ``1 - nominal``; silent otherwise."""
    allowed = 1 - nominal
    open_ = []
    for name, failures in (("C1", m.violated_cls_c1), ("C2", m.violated_cls_c2)):
        for n, bad in zip(m.sizes, failures, strict=True):
            lo, hi = theory.binomial_interval(bad, m.repeats, method="clopper-pearson")
            if lo > allowed:
                return refuted(
                    f"at n = {n} the class-conditional {name} (gamma_cls {m.gamma_cls:.3f}, "
                    f"true gamma {m.gamma:.2f}) fell below the true error "
                    f"{m.true_error:.3f} in {bad}/{m.repeats} trials, more than {allowed:.2f}"
                )
            if hi > allowed:
                open_.append(f"{name} at n = {n}")
    if open_:
        return silent(f"the failure rate's interval straddles {allowed:.2f}: {', '.join(open_)}")
    return confirmed(f"failure rate at most {allowed:.2f} at every n")


def _x_summary(m: XDependent) -> str:
    def rates(failures: list[int]) -> str:
        return ", ".join(f"{bad / m.repeats:.2f}" for bad in failures)

    sizes = ", ".join(str(n) for n in m.sizes)
    return (
        f"teacher depending on x: gamma {m.gamma:.2f}, gamma_cls {m.gamma_cls:.3f}; true error "
        f"{m.true_error:.3f}; at n = {sizes}, the class-conditional C2 fails in "
        f"{rates(m.violated_cls_c2)} and C1 in {rates(m.violated_cls_c1)} of {m.repeats} "
        f"trials (with the true indicators, C1 or C2: {rates(m.violated_true)})"
    )


register(
    ClaimSpec(
        id="certificate/x-dependent",
        status="conjecture",
        title="certificates with gamma_cls in place of gamma hold for any teacher",
        section="4b",
        statement="Probe: gamma_cls, estimable from labelled data, equals gamma only for a "
        "class-conditional labeler; do certificates built with it still cover the true "
        "error when the teacher's soft labels depend on x?",
        predicts=f"the class-conditional C1 and C2 each fail in at most {1 - NOMINAL:.2f} "
        "of the trials at every n",
        prediction=NOMINAL,
        needs=(X_CELL,),
        measurement=XDependent,
        judge=judge_x_dependent,
        summary=_x_summary,
        setting={"case": X_DESCRIBE},
    )
)


# -- certificate/coverage ---------------------------------------------------------------


@dataclass(frozen=True)
class Coverage:
    """How often each certificate covered the true error.

    Attributes:
      students: the certified students of the class-conditional teachers.
      x_dependent: the fixed classifier and the teacher that depends on ``x``, where only
        the certificates with the true indicators are covered by the statement.
    """

    students: Certificates
    x_dependent: XDependent

    def tests(self) -> list[tuple[str, int, int, float]]:
        """``(what, covered, trials, nominal)`` for every case the statement covers, and for
        each kind pooled over the cases (where one bound is near its edge the pooled count
        has the power a single case lacks)."""
        found = [
            (f"{kind}, {c.teacher} teacher, n = {c.n}", c.covered[kind], c.trials, nominal)
            for kind, nominal in KINDS.items()
            for c in self.students.cases
        ]
        for kind, nominal in KINDS.items():
            hits = sum(c.covered[kind] for c in self.students.cases)
            total = sum(c.trials for c in self.students.cases)
            found.append((f"{kind}, every case pooled", hits, total, nominal))
        x = self.x_dependent
        found += [
            (
                f"C1 and C2 with the true indicators, x-dependent teacher, n = {n}",
                x.repeats - bad,
                x.repeats,
                NOMINAL,
            )
            for n, bad in zip(x.sizes, x.violated_true, strict=True)
        ]
        return found


def judge_coverage(m: Coverage, nominal: float) -> Judgement:
    """Refuted when some case's (or some kind's pooled) coverage lies below its nominal
    share beyond its two-sided Clopper-Pearson interval, Bonferroni over every test;
    confirmed otherwise; silent when a case has no trials. (``nominal`` is the
    certificates' confidence; the ingredients of the class-conditional estimate carry a
    quarter of its error probability each, :data:`KINDS`.)"""
    tests = m.tests()
    if not m.students.cases or any(total == 0 for _, _, total, _ in tests):
        return silent("a case with no certification: nothing to judge")
    per_test = 1 - (1 - nominal) / len(tests)
    worst = None
    for case, hits, total, share in tests:
        _, hi = theory.binomial_interval(hits, total, confidence=per_test, method="clopper-pearson")
        if hi < share and (worst is None or hi - share < worst[0]):
            worst = (float(hi - share), case, hits, total, share, float(hi))
    if worst is not None:
        _, case, hits, total, share, most = worst
        return refuted(
            f"{case}: covered in {hits}/{total} trials, at most {most:.4f} (Bonferroni over "
            f"{len(tests)} tests), below {share:g}"
        )
    margin, case = min((h / t - share, c) for c, h, t, share in tests)
    return confirmed(
        f"every case and every pooled kind covered at a rate consistent with its nominal "
        f"share (closest: {case}, {margin:+.4f} from it; {len(tests)} tests)"
    )


def _coverage_summary(m: Coverage) -> str:
    pooled = []
    for kind in ("c1", "c2", "class-conditional"):
        hits = sum(c.covered[kind] for c in m.students.cases)
        total = sum(c.trials for c in m.students.cases)
        low = min(m.students.cases, key=lambda c: c.covered[kind] / max(c.trials, 1))
        pooled.append(f"{kind} {hits / total:.3f} (lowest case {low.covered[kind]}/{low.trials})")
    ingredients = min(
        (sum(c.covered[k] for c in m.students.cases) / sum(c.trials for c in m.students.cases), k)
        for k in ("gamma bound", "Delta_max bound", "Delta bound")
    )
    x = m.x_dependent
    return (
        f"coverage over {len(m.students.cases)} (teacher, n) cases of "
        f"{m.students.cases[0].trials} trials (nominal {NOMINAL}): "
        + ", ".join(pooled)
        + f"; the estimate's ingredients at least {ingredients[0]:.4f} ({ingredients[1]}, "
        f"nominal {KINDS[ingredients[1]]:g}); x-dependent teacher, true indicators: "
        f"{x.repeats - max(x.violated_true)}/{x.repeats} at the worst n"
    )


register(
    ClaimSpec(
        id="certificate/coverage",
        status="proved",
        title="certificates from teacher labels cover the true error at their level",
        section="4b",
        statement="From the Lemma: C1 R(h) <= R_Omega(h) / (1 - gamma), and when "
        "Delta_max + gamma < 1, C2 R(h) <= (R_Omega(h) - Delta) / (1 - gamma - Delta_max), "
        "for any labels; with a one-sided Clopper-Pearson upper bound on "
        "R_Omega(h) from n fresh teacher-labelled inputs (and, for a class-conditional "
        "labeler, gamma = gamma_cls, Delta_max and Delta bounded from labelled rows, the "
        "confidence split four ways) each holds with probability at least 0.95.",
        predicts=f"in every case, and pooled over the cases, each certificate covers the "
        f"true error in at least {NOMINAL} of the trials (each ingredient of the "
        f"class-conditional estimate its true value in at least {1 - (1 - NOMINAL) / 4:g}), "
        "up to the coverage's sampling interval",
        prediction=NOMINAL,
        needs=(CELL, X_CELL),
        measurement=Coverage,
        measure=Coverage,
        judge=judge_coverage,
        summary=_coverage_summary,
        setting={
            "world": WORLD,
            "teachers": [s.describe for s in SETTINGS],
            "students": "linear CC students (L-BFGS) of n teacher-labelled points, certified "
            "on n fresh ones, repeatedly",
            "true error": "disagreement with the Bayes classifier on the held-out sample",
            "x-dependent case": X_DESCRIBE,
        },
    )
)
