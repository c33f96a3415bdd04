"""``repr`` of worlds and teachers: their class and the values they were made with."""

from __future__ import annotations

import inspect
from typing import Any

import numpy as np


def _short(value: Any) -> str:
    """A value as a ``repr`` shows it: floats to 4 significant digits, small arrays in full,
    larger ones by shape."""
    if isinstance(value, float | np.floating):
        return f"{float(value):.4g}"
    if isinstance(value, np.ndarray):
        if value.size <= 10:
            return " ".join(np.array2string(value, precision=4, separator=", ").split())
        return f"<array {list(value.shape)}>"
    text = repr(value)
    return text if len(text) <= 100 else f"<{type(value).__name__}>"


def constructor_repr(obj: Any, derived: tuple[str, ...] = ()) -> str:
    """``Name(a=1, b=0.25, ...)``: the constructor's arguments ``obj`` keeps as attributes
    of the same name, then the attributes ``derived`` (values it solved for or derived)."""
    names = [p for p in inspect.signature(type(obj).__init__).parameters if p != "self"]
    names += [n for n in derived if n not in names]
    parts = [f"{n}={_short(getattr(obj, n))}" for n in names if hasattr(obj, n)]
    return f"{type(obj).__name__}({', '.join(parts)})"
