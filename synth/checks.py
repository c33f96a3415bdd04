"""Input validation shared by every layer: bad input raises ``ValueError``, never a wrong number.

The public bottom layer: ``theory`` and ``verify`` validate through these
functions too. Each check names the argument and says what is wrong with it, so the message
alone tells a user which array to fix. The tolerances are module constants so that callers
and tests quote the same numbers. docs/theory.md section 1 defines the objects checked.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "PROB_ATOL",
    "SOFT_LABEL_ATOL",
    "as_float_array",
    "check_distributions",
    "check_k",
    "check_labels",
    "check_same_length",
    "check_soft_labels",
    "check_unit_interval",
]

#: Absolute tolerance on ``sum(d) == 1`` for a soft label. A float32 softmax over a few
#: hundred classes sums to one within ~1e-6; 1e-5 leaves room for that, yet rejects
#: unnormalized scores and logits, whose sums are off by far more.
SOFT_LABEL_ATOL = 1e-5

#: Absolute tolerance on ``sum(p) == 1`` for a probability vector built in float64.
PROB_ATOL = 1e-9


def as_float_array(value: ArrayLike, name: str) -> NDArray[np.float64]:
    """``value`` as a finite float64 array, or a ``ValueError`` naming ``name``.

    docs/theory.md section 1: every quantity of a world is a finite real number.
    """
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name}: not a numeric array ({exc})") from None
    if not np.all(np.isfinite(arr)):
        bad = int(np.size(arr) - np.count_nonzero(np.isfinite(arr)))
        raise ValueError(f"{name}: {bad} entries are not finite (NaN or inf)")
    return arr


def check_distributions(
    value: ArrayLike, name: str, *, atol: float = PROB_ATOL, min_classes: int = 1
) -> NDArray[np.float64]:
    """Check that ``value[..., :]`` are probability vectors along the last axis (docs/theory.md
    section 1: ``eta(x)``, soft labels and weights live on the simplex).

    Args:
      value: array ``[..., c]``.
      name: the argument's name, used in error messages.
      atol: tolerance on each row's sum.
      min_classes: the least allowed ``c``.

    Returns:
      the array as float64 ``[..., c]``.
    """
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name}: not a numeric array ({exc})") from None
    if arr.ndim == 0:
        raise ValueError(f"{name}: expected an array [..., c], got a scalar")
    if arr.shape[-1] < min_classes:
        raise ValueError(
            f"{name}: last axis has {arr.shape[-1]} entries, needs at least {min_classes}"
        )
    with np.errstate(over="ignore"):  # an overflowing sum is reported below, not warned
        sums = arr.sum(axis=-1)
    # Two passes over the data on the fast path: a finite sum means finite entries (an inf
    # or NaN entry makes the sum inf or NaN), so the finiteness pass is needed only to word
    # the error.
    if not (np.all(np.isfinite(sums)) and (arr.size == 0 or arr.min() >= 0)):
        as_float_array(arr, name)
        negative = int(np.count_nonzero(arr < 0))
        if negative:
            raise ValueError(f"{name}: {negative} entries are negative")
        # finite, non-negative entries whose sum overflowed: the sum check below words it
    off = np.abs(sums - 1.0)
    if np.any(off > atol):
        worst = np.unravel_index(int(np.argmax(off)), sums.shape)
        raise ValueError(
            f"{name}: entries along the last axis must sum to 1 (within {atol:g}); "
            f"{int(np.count_nonzero(off > atol))} do not, e.g. index {tuple(map(int, worst))} "
            f"sums to {float(sums[worst]):.6g}"
        )
    return arr


def check_soft_labels(d: ArrayLike, name: str = "d") -> NDArray[np.float64]:
    """Soft labels ``[..., c]`` with ``c >= 2``: finite, non-negative, rows summing to one.

    The tolerance is :data:`SOFT_LABEL_ATOL`. docs/theory.md section 1 (soft labeler).
    """
    return check_distributions(d, name, atol=SOFT_LABEL_ATOL, min_classes=2)


def check_labels(y: ArrayLike, num_classes: int, name: str = "y") -> NDArray[np.int64]:
    """Integer class labels in ``[0, num_classes)``, as int64 (docs/theory.md section 1: ``[c]``).

    Floats are accepted only when every value is integral (labels read from CSV arrive as
    floats); booleans are refused because ``True`` is not a class.
    """
    arr = np.asarray(y)
    if arr.dtype == bool:
        raise ValueError(f"{name}: labels must be integers, got booleans")
    if arr.dtype.kind == "f":
        if not np.all(np.isfinite(arr)):
            raise ValueError(f"{name}: labels contain NaN or inf")
        if np.any(arr != np.round(arr)):
            raise ValueError(f"{name}: labels must be integers, got non-integral values")
    elif arr.dtype.kind not in "iu":
        raise ValueError(f"{name}: labels must be integers, got dtype {arr.dtype}")
    # on the values as given: a cast to int64 first would wrap uint64 labels above 2^63
    if arr.size and (arr.min() < 0 or arr.max() >= num_classes):
        raise ValueError(
            f"{name}: labels must lie in [0, {num_classes}), got range "
            f"[{int(arr.min())}, {int(arr.max())}]"
        )
    labels = arr.astype(np.int64)
    return labels


def check_k(k: Any, num_classes: int | None = None, name: str = "k") -> int:
    """A top-k size: an integer with ``1 <= k <= c - 1`` (docs/theory.md section 1, TopK)."""
    if isinstance(k, bool) or not isinstance(k, int | np.integer):
        raise ValueError(f"{name}: must be an integer, got {k!r}")
    k = int(k)
    if k < 1:
        raise ValueError(f"{name}: must be at least 1, got {k}")
    if num_classes is not None and k > num_classes - 1:
        raise ValueError(
            f"{name}: must be at most c - 1 = {num_classes - 1} for c = {num_classes} "
            f"classes (the top-{num_classes} set is every label), got {k}"
        )
    return k


def check_same_length(**arrays: Any) -> int:
    """The common length of the leading axes of ``arrays``; ``ValueError`` if they differ.

    docs/theory.md section 2: Monte Carlo estimates pair samples ``(x_i, y_i, d_i)`` one to one.
    """
    lengths = {name: int(np.shape(a)[0]) if np.ndim(a) else -1 for name, a in arrays.items()}
    if len(set(lengths.values())) > 1:
        shown = ", ".join(f"{n} has {v}" for n, v in lengths.items())
        raise ValueError(f"mismatched lengths: {shown}")
    return next(iter(lengths.values()))


def check_unit_interval(
    value: Any, name: str, *, open_left: bool = False, open_right: bool = False
) -> float:
    """A real number in ``[0, 1]`` (ends open on request): a probability or a threshold
    of docs/theory.md sections 1 and 5."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name}: must be a number, got {value!r}") from None
    lo_ok = v > 0 if open_left else v >= 0
    hi_ok = v < 1 if open_right else v <= 1
    if not (np.isfinite(v) and lo_ok and hi_ok):
        interval = ("(" if open_left else "[") + "0, 1" + (")" if open_right else "]")
        raise ValueError(f"{name}: must lie in {interval}, got {value!r}")
    return v
