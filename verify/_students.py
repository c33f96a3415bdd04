"""Students trained on a teacher's soft labels, and judged against the oracles.

The glue between ``synth`` (worlds, teachers), ``theory`` (oracles) and the trainer: build
nested training sets for every (sample size, seed) cell, train every student of a
learning curve in one compiled call, and score them on a held-out sample.

Learners (docs/theory.md section 3):
- ``cc``: the partial-label (CC) loss on the teacher's label sets ``Omega(d)``;
- ``distill``: soft cross-entropy on ``d`` (population minimizer ``E[d | x]``);
- ``hard``: cross-entropy on the teacher's top-1 label;
- ``truth``: cross-entropy on the true label (the oracle ceiling).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

import theory
from synth import Distribution, NoClosedForm, Teacher
from verify._losses import Loss
from verify._train import TrainConfig, predict, train

LEARNERS = ("cc", "distill", "hard", "truth")


@dataclass(frozen=True)
class Evaluation:
    """Students of one learner scored on held-out data: means over seeds, one entry per
    sample size.

    Attributes:
      accuracy: held-out accuracy.
      excess_error: error minus the Bayes error.
      agreement: reference name (``bayes`` and each population oracle) -> agreement.
      converged_fraction: students that met the trainer's convergence criterion.
      largest_grad_norm: the largest final gradient norm.
    """

    accuracy: list[float]
    excess_error: list[float]
    agreement: dict[str, list[float]]
    converged_fraction: float
    largest_grad_norm: float


@dataclass(frozen=True)
class Curve:
    """Students of one learner over sample sizes and seeds, scored on held-out data.

    Attributes:
      sizes: ``[S]`` training-set sizes.
      seeds: ``[R]`` seeds.
      predictions: ``[S, R, m]`` predicted labels on the held-out inputs.
      converged: ``[S, R]`` per the trainer's criterion.
      grad_norm: ``[S, R]`` final gradient norms.
      params: the students' parameters, each array with leading axes ``[S, R]``.
    """

    sizes: np.ndarray
    seeds: np.ndarray
    predictions: np.ndarray
    converged: np.ndarray
    grad_norm: np.ndarray
    params: dict[str, np.ndarray]

    def disagreement(self, reference: np.ndarray) -> np.ndarray:
        """``[S, R]``: share of held-out points where the student differs from ``reference [m]``."""
        return np.mean(self.predictions != reference, axis=-1)

    def evaluate(
        self,
        y: np.ndarray,
        bayes: np.ndarray,
        bayes_error: float,
        oracles: dict[str, np.ndarray],
    ) -> Evaluation:
        """Held-out accuracy, excess error over Bayes, and agreement with the Bayes classifier
        and with each population oracle, as means over seeds per size (``[S]`` lists).

        Args:
          y: ``[m]`` held-out labels; ``bayes``: ``[m]`` the Bayes classifier on them;
          bayes_error: the world's Bayes error; oracles: name -> ``[m]`` predictions.
        """
        accuracy = 1 - self.disagreement(y)
        agreement = {"bayes": (1 - self.disagreement(bayes)).mean(axis=1).tolist()}
        for name, pred in oracles.items():
            agreement[name] = (1 - self.disagreement(pred)).mean(axis=1).tolist()
        return Evaluation(
            accuracy=accuracy.mean(axis=1).tolist(),
            excess_error=(1 - accuracy - bayes_error).mean(axis=1).tolist(),
            agreement=agreement,
            converged_fraction=float(self.converged.mean()),
            largest_grad_norm=float(self.grad_norm.max()),
        )


def targets_for(learner: str, d: np.ndarray, y: np.ndarray, rule: Any) -> tuple[Loss, np.ndarray]:
    """The loss kind and ``[n, c]`` targets a learner trains on."""
    c = d.shape[-1]
    if learner == "cc":
        return "set", np.asarray(rule(d), dtype=np.float32)
    if learner == "distill":
        return "soft", d.astype(np.float32)
    if learner == "hard":
        return "soft", np.eye(c, dtype=np.float32)[np.argmax(d, axis=-1)]
    if learner == "truth":
        return "soft", np.eye(c, dtype=np.float32)[y]
    raise ValueError(f"learner: must be one of {LEARNERS}, got {learner!r}")


def student_grid(
    world: Distribution,
    teachers: Sequence[tuple[Teacher, Any]],
    learner: str,
    *,
    sizes: list[int],
    seeds: list[int],
    x_eval: np.ndarray,
    cfg: TrainConfig,
) -> list[Curve]:
    """Students for every (teacher, size, seed), trained in one compiled call.

    Each seed draws one sample ``(x, y)`` of the largest size, shared by every teacher (so
    teachers are compared on the same inputs); each teacher then labels it from its own
    independent stream (``SeedSequence(seed).spawn``). The student of size ``n`` sees the
    first ``n`` points, so a seed's curve is a nested sequence.

    Args:
      world: draws ``(x, y)``.
      teachers: ``(teacher, set rule)`` pairs (the rule matters to the ``cc`` learner).
      learner: one of :data:`LEARNERS`.
      sizes, seeds: the grid.
      x_eval: ``[m, p]`` held-out inputs to predict on.
      cfg: the training configuration (its ``loss`` is set by the learner).

    Returns:
      one :class:`Curve` per teacher.
    """
    n_max = max(sizes)
    # Independent child streams per seed: 0 draws (x, y), t + 1 labels for teacher t. (Not
    # default_rng([seed, t]): numpy's SeedSequence ignores trailing zero words, so [seed, 0]
    # would replay the stream that drew x, and a noise teacher's noise would equal x.)
    streams = [np.random.SeedSequence(seed).spawn(len(teachers) + 1) for seed in seeds]
    data = [world.sample(n_max, rng=np.random.default_rng(s[0])) for s in streams]
    xs, ts = [], []
    kind: Loss = "soft"
    for t, (teacher, rule) in enumerate(teachers):  # numpy data generation; training is one call
        for stream, (x, y) in zip(streams, data, strict=True):
            d = teacher.sample(x, y, rng=np.random.default_rng(stream[t + 1]))
            kind, target = targets_for(learner, d, y, rule)
            xs.append(x.T)
            ts.append(target.T)
    shape = (len(teachers), len(sizes), len(seeds))
    # problem order: teacher, size, seed; the same (teacher, seed) data serves every size
    x_all = np.stack(xs).reshape(len(teachers), 1, len(seeds), *xs[0].shape)
    t_all = np.stack(ts).reshape(len(teachers), 1, len(seeds), *ts[0].shape)
    x_all = np.broadcast_to(x_all, (*shape, *xs[0].shape)).reshape(-1, *xs[0].shape)
    t_all = np.broadcast_to(t_all, (*shape, *ts[0].shape)).reshape(-1, *ts[0].shape)
    size_all = np.broadcast_to(np.asarray(sizes)[None, :, None], shape).ravel()
    seed_all = np.broadcast_to(np.asarray(seeds)[None, None, :], shape).ravel()
    cfg = replace(cfg, loss=kind)
    result = train(cfg, x_all, t_all, size_all, seeds=seed_all)
    preds = predict(cfg, result.params, x_eval.T).reshape(*shape, -1)
    conv = result.converged.reshape(shape)
    gnorm = result.grad_norm.reshape(shape)
    params = {k: np.asarray(v).reshape(*shape, *v.shape[1:]) for k, v in result.params.items()}
    return [
        Curve(
            sizes=np.asarray(sizes),
            seeds=np.asarray(seeds),
            predictions=preds[t],
            converged=conv[t],
            grad_norm=gnorm[t],
            params={k: v[t] for k, v in params.items()},
        )
        for t in range(len(teachers))
    ]


def learning_curve(
    world: Distribution,
    teacher: Teacher,
    learner: str,
    rule: Any,
    *,
    sizes: list[int],
    seeds: list[int],
    x_eval: np.ndarray,
    cfg: TrainConfig,
) -> Curve:
    """One teacher's students over sizes and seeds: :func:`student_grid` with one teacher."""
    return student_grid(
        world, [(teacher, rule)], learner, sizes=sizes, seeds=seeds, x_eval=x_eval, cfg=cfg
    )[0]


@dataclass(frozen=True)
class ClassOracles:
    """For a teacher that ignores ``x`` on a deterministic world: what each population
    minimizer predicts when the true class is ``y`` (docs/theory.md section 3).

    Attributes:
      set_risk: ``[c]`` argmax of ``m_j(y)`` (the top-k risk minimizer; Theorem C).
      distill: ``[c]`` argmax of ``E[d | y]``.
      cc: ``[c]`` argmax of the CC minimizer of the set law of ``y``.
      cc_margin: ``[c]`` its margin (top probability minus the runner-up).
      indicators: ``{"delta", "gamma", "delta_max"}`` of the rule.
      how: which of them are closed form and which Monte Carlo.
    """

    set_risk: np.ndarray
    distill: np.ndarray
    cc: np.ndarray
    cc_margin: np.ndarray
    indicators: dict[str, float]
    how: dict[str, str]


def class_indicators(membership: np.ndarray) -> dict[str, float]:
    """``Delta``, ``Delta_max`` and ``gamma`` of a teacher that ignores ``x``, from its
    membership ``m[y, j]`` (``[c, c]``), with the classes equally likely (docs/theory.md
    section 2)."""
    c = membership.shape[-1]
    m, joint = np.asarray(membership)[None], np.full((1, c), 1.0 / c)
    return {
        "delta": float(theory.delta(m, joint)),
        "delta_max": float(theory.delta_max(m, joint)),
        "gamma": float(theory.gamma(m, joint)),
    }


def class_oracles(
    teacher: Teacher, rule: Any, *, draws: int = 20000, rng: np.random.Generator
) -> ClassOracles:
    """The population minimizers per true class, closed form where the teacher allows.

    ``draws`` soft labels per class estimate ``E[d | y]`` (when not closed form) and the set
    law that the CC minimizer (``theory.cc_target``) needs.
    """
    c = teacher.num_classes
    x0 = np.zeros((1, 1))
    labels = np.repeat(np.arange(c), draws)
    d = teacher.sample(np.zeros((len(labels), 1)), labels, rng=rng).reshape(c, draws, c)
    how = {}
    try:
        m = teacher.membership(x0, rule)[0]
        how["set_risk"] = "closed form"
    except NoClosedForm:
        m = np.asarray(rule(d), dtype=float).mean(axis=1)
        how["set_risk"] = f"Monte Carlo ({draws} draws per class)"
    try:
        mean = teacher.mean_soft_labels(x0)[0]
        how["distill"] = "closed form"
    except NoClosedForm:
        mean = d.mean(axis=1)
        how["distill"] = f"Monte Carlo ({draws} draws per class)"
    masks = np.asarray(rule(d), dtype=bool)  # [c, draws, c]: the empirical set law
    sol = theory.cc_target(masks, np.full((c, draws), 1.0 / draws))
    how["cc"] = f"CC minimizer of the empirical set law ({draws} draws per class)"
    top2 = np.sort(sol.probs, axis=-1)[:, -2:]
    indicators = class_indicators(m)
    return ClassOracles(
        set_risk=np.argmax(m, axis=-1),
        distill=np.argmax(mean, axis=-1),
        cc=np.argmax(sol.probs, axis=-1),
        cc_margin=top2[:, 1] - top2[:, 0],
        indicators=indicators,
        how=how,
    )
