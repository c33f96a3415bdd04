"""Teachers whose soft label is a function of ``(x, y)`` (docs/theory.md sections 2 and 5):
the Bayes teacher, temperature scaling, label smoothing and miscalibrated annotators."""

from __future__ import annotations

import math
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import special

from synth._distributions import Distribution
from synth._teacher_base import DeterministicTeacher, as_soft_labels
from synth.checks import check_unit_interval


class BayesTeacher(DeterministicTeacher):
    """``d = eta(x)``, whatever ``y`` is. docs/theory.md section 2, F4.

    With top-1 sets, ``Delta_1`` is the Bayes error and ``gamma_1 = 1`` once it is positive.
    """

    def __init__(self, world: Distribution):
        self.world = world
        self.num_classes = world.num_classes

    def soft_labels(self, x: ArrayLike) -> NDArray[np.float64]:
        """``eta(x)`` repeated over ``y``: ``[n, c, c]``."""
        eta = self.world.posterior(x)
        return np.repeat(eta[:, None, :], self.num_classes, axis=1)


class TemperatureTeacher(DeterministicTeacher):
    """``d = softmax(log eta(x) / T)``: the Bayes posterior sharpened (``T < 1``) or
    flattened (``T > 1``). Ranks, hence top-k sets, are those of ``eta(x)``.
    docs/theory.md section 5.
    """

    def __init__(self, world: Distribution, temperature: float):
        if not float(temperature) > 0:
            raise ValueError(f"temperature: must be positive, got {temperature!r}")
        self.world = world
        self.temperature = float(temperature)
        self.num_classes = world.num_classes

    def soft_labels(self, x: ArrayLike) -> NDArray[np.float64]:
        """``softmax(log eta(x) / T)`` repeated over ``y``: ``[n, c, c]``."""
        with np.errstate(divide="ignore"):  # log 0 = -inf keeps an impossible label at 0
            logits = np.log(self.world.posterior(x)) / self.temperature
        d = special.softmax(logits, axis=-1)
        return np.repeat(d[:, None, :], self.num_classes, axis=1)


class LabelSmoothing(DeterministicTeacher):
    """``d = (1 - e) onehot(y) + e / c``. docs/theory.md section 2, F3 (``Delta_1 = gamma_1 = 0``
    for ``e < 1``)."""

    def __init__(self, num_classes: int, epsilon: float):
        self.num_classes = int(num_classes)
        self.epsilon = check_unit_interval(epsilon, "epsilon")

    def soft_labels(self, x: ArrayLike) -> NDArray[np.float64]:
        """The smoothed one-hot of every ``y``: ``[n, c, c]``."""
        c = self.num_classes
        table = (1 - self.epsilon) * np.eye(c) + self.epsilon / c
        return np.broadcast_to(table, (self._rows(x), c, c))


Miscalibration = Literal["over-extremity", "under-extremity", "over-prediction", "under-prediction"]
_SHAPES: dict[str, tuple[int, float]] = {
    # (s, sign of a): p -> p + (a / s) sin(s pi p) on the top entry.
    "over-extremity": (2, -1.0),  # confident answers pushed further out
    "under-extremity": (2, 1.0),  # pulled toward 1/2
    "over-prediction": (1, 1.0),  # every top probability raised
    "under-prediction": (1, -1.0),  # every top probability lowered
}


class Miscalibrated(DeterministicTeacher):
    """A deterministic teacher whose top entry is miscalibrated like an annotator's confidence.

    docs/theory.md section 5: ``p -> p + (a/s) sin(s pi p)`` on the top entry ``p``, ``s = 2`` for
    extremity and ``s = 1`` for prediction, then the other entries rescaled to sum to
    ``1 - p'``. ``a`` is in ``[0, 1/pi]`` (which keeps ``p'`` in ``[0, 1]``); the kind fixes its
    sign (over-extremity pushes ``p`` away from 1/2, under-extremity toward it,
    over-prediction raises it, under-prediction lowers it). The top-k set can change when
    ``p'`` falls below the second entry; membership stays exact.

    Args:
      base: the calibrated teacher.
      kind: one of the four miscalibrations.
      amount: ``|a|``.
    """

    def __init__(self, base: DeterministicTeacher, kind: Miscalibration, amount: float):
        if kind not in _SHAPES:
            raise ValueError(f"kind: must be one of {sorted(_SHAPES)}, got {kind!r}")
        if not 0 <= float(amount) <= 1 / math.pi:
            raise ValueError(f"amount: must lie in [0, 1/pi], got {amount!r}")
        self.base = base
        self.kind = kind
        self.amount = float(amount)
        self.num_classes = base.num_classes

    def transform(self, d: NDArray[np.float64]) -> NDArray[np.float64]:
        """Apply the miscalibration to soft labels ``[..., c]``."""
        s, sign = _SHAPES[self.kind]
        top = np.argmax(d, axis=-1)[..., None]
        p = np.take_along_axis(d, top, axis=-1)
        new_p = np.clip(p + sign * self.amount / s * np.sin(s * math.pi * p), 0.0, 1.0)
        rest = 1.0 - p
        scale = np.divide(1.0 - new_p, rest, out=np.zeros_like(rest), where=rest > 0)
        out = d * scale
        np.put_along_axis(out, top, new_p, axis=-1)
        return as_soft_labels(out)

    def soft_labels(self, x: ArrayLike) -> NDArray[np.float64]:
        """The base teacher's soft labels, miscalibrated: ``[n, c, c]``."""
        return self.transform(self.base.soft_labels(x))
