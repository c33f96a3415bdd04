"""Synthetic teachers built from a random ranking of the labels (docs/theory.md section 5).

The soft label gives the label ranked ``r`` the value ``v_r`` of a fixed, strictly
decreasing profile (:func:`rank_profile`), so top-k, support and threshold sets are all
"the top ``r`` ranks" and membership follows from the law of the ranking.

- :class:`SkillfulButBad`: top-1 accuracy ``a``, true label in the top-k with probability
  ``1 - Delta``, wrong labels exchangeable. Then ``gamma`` sits on the F2 floor
  ``(k - 1 + Delta) / (c - 1)``.
- :class:`ConfuserTeacher`: the top-k set has prescribed inclusion probabilities, ``1 - Delta``
  for the true label, ``gamma`` for the class's favourite wrong label, the rest shared by the
  other wrong labels; any ``(Delta, gamma)`` between the F2 floor and ``min(1, k - 1 + Delta)``
  is reached exactly.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from synth._rng import categorical
from synth._teacher_base import (
    NoClosedForm,
    Teacher,
    exchangeable_membership,
    prefix_length,
    random_order,
    rank_membership,
    rank_profile,
    repeat_rows,
    soft_labels_from_order,
)
from synth.checks import check_k, check_labels, check_unit_interval
from synth.rules import SetRule

#: Slack for feasibility checks on targets given in floating point.
_TOL = 1e-12


class SkillfulButBad(Teacher):
    """The synthetic skillful-but-bad teacher of docs/theory.md section 5.

    The true label's rank is 1 with probability ``a``, uniform on ``2..k`` with probability
    ``1 - Delta - a``, uniform on ``k+1..c`` with probability ``Delta``; the wrong labels fill
    the other ranks in uniformly random order. Closed forms for every rule that keeps a
    prefix of ranks (top-r for any r, support, threshold): ``m_y = P(rank <= r)``,
    ``m_j = (r - m_y) / (c - 1)``; with ``r = k`` that is ``Delta_k = Delta`` and
    ``gamma_k = (k - 1 + Delta) / (c - 1)``, and the top-1 accuracy is ``a``.

    Args:
      num_classes: ``c >= 2``.
      k: the top-k size the teacher is built for, ``1 <= k <= c - 1``.
      accuracy: top-1 accuracy ``a``; needs ``a <= 1 - Delta``, and ``a = 1 - Delta`` when
        ``k = 1``.
      delta: ``Delta``, probability that the true label is outside the top-k.
      sharpness: of the value profile (larger: closer to one-hot).
    """

    _derived = ("gamma",)

    def __init__(
        self, num_classes: int, k: int, accuracy: float, delta: float, *, sharpness: float = 1.0
    ):
        c = int(num_classes)
        self.num_classes = c
        self.k = check_k(k, c)
        self.accuracy = check_unit_interval(accuracy, "accuracy")
        self.delta = check_unit_interval(delta, "delta")
        middle = 1.0 - self.delta - self.accuracy
        if middle < -_TOL:
            raise ValueError(
                f"accuracy + delta = {self.accuracy + self.delta:.6g} > 1: the true label cannot "
                "be top-1 more often than it is in the top-k"
            )
        if self.k == 1 and abs(middle) > _TOL:
            raise ValueError(
                f"for k = 1 the top-1 accuracy is 1 - delta = {1 - self.delta:.6g}, "
                f"got accuracy {self.accuracy:.6g}"
            )
        self.profile = rank_profile(c, sharpness)
        probs = np.zeros(c)
        probs[0] = self.accuracy
        if self.k > 1:
            probs[1 : self.k] = max(middle, 0.0) / (self.k - 1)
        probs[self.k :] = self.delta / (c - self.k)
        self.rank_probs = probs  # law of the true label's rank (0-based)

    @classmethod
    def from_targets(
        cls, num_classes: int, k: int, *, accuracy: float, delta: float, sharpness: float = 1.0
    ) -> SkillfulButBad:
        """The teacher with top-1 accuracy ``a`` and ``Delta_k = delta`` exactly.

        Its ``gamma_k`` is then forced to the F2 floor ``(k - 1 + delta) / (c - 1)``; ask
        :class:`ConfuserTeacher` for a larger ``gamma``. Raises ``ValueError`` when
        ``accuracy > 1 - delta`` (unreachable) or, for ``k = 1``, ``accuracy != 1 - delta``.
        """
        return cls(num_classes, k, accuracy, delta, sharpness=sharpness)

    @property
    def gamma(self) -> float:
        """``gamma_k = (k - 1 + Delta) / (c - 1)``, the F2 floor (docs/theory.md section 2)."""
        return (self.k - 1 + self.delta) / (self.num_classes - 1)

    def _draw(
        self, x: NDArray[np.float64], y: NDArray[np.int64], rng: np.random.Generator
    ) -> NDArray[np.float64]:
        n, c = len(y), self.num_classes
        rank = categorical(self.rank_probs, rng, (n,))
        # wrong labels in random order: a random permutation of 0..c-2, shifted past y
        wrong = random_order(rng, n, c - 1)
        wrong = wrong + (wrong >= y[:, None])
        slots = np.arange(c)
        source = np.clip(slots - (slots > rank[:, None]), 0, c - 2)
        order = np.where(slots == rank[:, None], y[:, None], np.take_along_axis(wrong, source, 1))
        return soft_labels_from_order(order, self.profile)

    def membership(self, x: ArrayLike, rule: SetRule) -> NDArray[np.float64]:
        """Exact ``[n, c, c]`` for any rule keeping a prefix of ranks (see the class)."""
        m_y, m_wrong = rank_membership(self.rank_probs, prefix_length(rule, self.profile))
        return repeat_rows(exchangeable_membership(m_y, m_wrong, self.num_classes), self._rows(x))

    def mean_soft_labels(self, x: ArrayLike) -> NDArray[np.float64]:
        """``E[d_y] = sum_r P(rank = r) v_r``; wrong labels share the rest equally."""
        d_y = float(self.rank_probs @ self.profile)
        table = exchangeable_membership(d_y, (1 - d_y) / (self.num_classes - 1), self.num_classes)
        return repeat_rows(table, self._rows(x))


class ConfuserTeacher(Teacher):
    """Each class has a favourite wrong label; the top-k set hits exact inclusion targets.

    docs/theory.md section 5 (fixed-confuser teacher, target-seeking constructor). The top-k set
    ``S`` (``|S| = k``) includes the true label with probability ``1 - Delta``, its confuser
    ``confuser[y]`` with probability ``gamma`` and every other wrong label with probability
    ``(k - 1 + Delta - gamma) / (c - 2)``, drawn by randomized systematic sampling (exact
    inclusion probabilities for any targets that sum to ``k`` and lie in ``[0, 1]``). Then
    ``Delta_k = Delta`` and ``gamma_k = gamma``. Within ``S`` the true label is ranked first
    with probability ``accuracy / (1 - Delta)`` (when given; otherwise ``S`` is in random
    order), and the labels outside ``S`` follow in random order.

    Reachable: ``(k - 1 + Delta) / (c - 1) <= gamma <= min(1, k - 1 + Delta)`` (the F2 floor
    below; for ``c = 2`` only ``gamma = Delta``). With ``k = 1`` and ``gamma = Delta`` every
    error is the confuser: the classic fixed-confuser teacher, ``gamma`` as high as allowed.

    Closed forms: membership for top-r with ``r >= k`` (and support, and thresholds keeping
    at least ``k`` ranks); ``m_j(r) = m_j(k) + (1 - m_j(k)) (r - k) / (c - k)``. Top-r with
    ``r < k`` and ``E[d | x, y]`` have none (they depend on the joint law of ``S``).

    Args:
      num_classes: ``c >= 2``.
      k: ``1 <= k <= c - 1``.
      delta, gamma: the targets.
      accuracy: top-1 accuracy in ``[0, 1 - Delta]`` (optional).
      confuser: ``[c]`` favourite wrong label of each class (default ``y + 1 mod c``).
      sharpness: of the value profile.
    """

    def __init__(
        self,
        num_classes: int,
        k: int,
        delta: float,
        gamma: float,
        *,
        accuracy: float | None = None,
        confuser: ArrayLike | None = None,
        sharpness: float = 1.0,
    ):
        c = int(num_classes)
        self.num_classes = c
        self.k = check_k(k, c)
        self.delta = check_unit_interval(delta, "delta")
        self.gamma = check_unit_interval(gamma, "gamma")
        floor = (self.k - 1 + self.delta) / (c - 1)
        ceiling = min(1.0, self.k - 1 + self.delta)
        if self.gamma < floor - _TOL:
            raise ValueError(
                f"gamma = {self.gamma:.6g} is below the F2 floor (k - 1 + delta)/(c - 1) = "
                f"{floor:.6g}: no top-{self.k} labeler with delta = {self.delta:.6g} has it"
            )
        if c == 2:
            ceiling = self.delta  # the only wrong label is in the set exactly when y is not
        if self.gamma > ceiling + _TOL:
            raise ValueError(
                f"gamma = {self.gamma:.6g} is above the reachable {ceiling:.6g} for "
                f"k = {self.k}, delta = {self.delta:.6g}, c = {c}"
            )
        self.gamma = min(max(self.gamma, floor), ceiling)
        if accuracy is not None:
            accuracy = check_unit_interval(accuracy, "accuracy")
            if accuracy > 1 - self.delta + _TOL:
                raise ValueError(f"accuracy: must be at most 1 - delta = {1 - self.delta:.6g}")
            if self.k == 1 and abs(accuracy - (1 - self.delta)) > _TOL:
                raise ValueError(
                    f"accuracy: for k = 1 the top-1 set is the top label, so accuracy is "
                    f"1 - delta = {1 - self.delta:.6g}, got {accuracy:.6g}"
                )
        self.accuracy = accuracy
        mapping = (
            (np.arange(c) + 1) % c if confuser is None else check_labels(confuser, c, "confuser")
        )
        if mapping.shape != (c,) or np.any(mapping == np.arange(c)):
            raise ValueError("confuser: expected [c] labels with confuser[y] != y")
        self.confuser = mapping.astype(np.int64)
        self.profile = rank_profile(c, sharpness)

    @classmethod
    def from_targets(
        cls, num_classes: int, k: int, *, delta: float, gamma: float, **kwargs: Any
    ) -> ConfuserTeacher:
        """The teacher with ``Delta_k = delta`` and ``gamma_k = gamma`` exactly.

        Raises ``ValueError`` naming the bound when the pair is unreachable (below the F2
        floor, or above ``min(1, k - 1 + delta)``).
        """
        return cls(num_classes, k, delta, gamma, **kwargs)

    def inclusion(self) -> NDArray[np.float64]:
        """``[c, c]``: ``P(j in S | y)``, the top-k membership (rows sum to ``k``)."""
        c = self.num_classes
        other = 0.0 if c == 2 else (self.k - 1 + self.delta - self.gamma) / (c - 2)
        table = np.full((c, c), max(other, 0.0))
        table[np.arange(c), self.confuser] = self.gamma
        np.fill_diagonal(table, 1 - self.delta)
        return table

    def _draw(
        self, x: NDArray[np.float64], y: NDArray[np.int64], rng: np.random.Generator
    ) -> NDArray[np.float64]:
        n, c = len(y), self.num_classes
        pi = self.inclusion()[y]  # [n, c]
        # Randomized systematic sampling: in a random order of the labels, label i is chosen
        # when one of the points u, u + 1, ..., u + k - 1 falls in its slice of the
        # cumulative targets; each target is at most 1, so P(chosen) = its target.
        perm = random_order(rng, n, c)
        cum = np.cumsum(np.take_along_axis(pi, perm, 1), axis=1)
        u = rng.random((n, 1))
        hits = np.ceil(cum - u) - np.ceil(np.concatenate([np.zeros((n, 1)), cum[:, :-1]], 1) - u)
        chosen = np.zeros((n, c), dtype=bool)
        np.put_along_axis(chosen, perm, hits > 0.5, axis=1)
        keys = rng.random((n, c)) + chosen  # members of S rank above the rest
        rows = np.arange(n)
        in_s = chosen[rows, y]
        if self.accuracy is None:
            top_true = np.zeros(n, dtype=bool)
        else:
            top_true = in_s & (rng.random(n) * (1 - self.delta) < self.accuracy)
            # the true label, when not chosen first, must not win the random order of S
            others = np.where(np.arange(c) == y[:, None], -np.inf, keys)
            rival = np.argmax(others, axis=1)
            keys[rows[~top_true], rival[~top_true]] = 3.0
        keys[rows[top_true], y[top_true]] = 3.0
        order = np.argsort(-keys, axis=1)
        return soft_labels_from_order(order, self.profile)

    def membership(self, x: ArrayLike, rule: SetRule) -> NDArray[np.float64]:
        """Exact ``[n, c, c]`` for rules keeping ``r >= k`` top ranks (see the class)."""
        r = prefix_length(rule, self.profile)
        if r < self.k:
            raise NoClosedForm(
                f"top-{r} membership of a top-{self.k} confuser teacher depends on the joint "
                "law of its set"
            )
        base = self.inclusion()
        table = base + (1 - base) * (r - self.k) / (self.num_classes - self.k)
        return repeat_rows(table, self._rows(x))
