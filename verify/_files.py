"""Reading a user's arrays from ``.npy``, ``.npz`` (named arrays) or ``.csv`` files.

Every failure is an :class:`InputError` whose message names the file and says what is wrong
in one line; the command line prints it and exits with status 2.
"""

from __future__ import annotations

import warnings
import zipfile
from pathlib import Path

import numpy as np
from numpy.typing import NDArray


class InputError(Exception):
    """A user's file cannot be used; the message is one line naming the file."""


def _split_key(spec: str) -> tuple[Path, str | None]:
    """``data.npz:soft`` -> (``data.npz``, ``soft``); a plain path has no key."""
    head, sep, key = spec.rpartition(":")
    if sep and head.lower().endswith(".npz") and key:
        return Path(head), key
    return Path(spec), None


def _read_csv(path: Path) -> NDArray[np.float64]:
    with path.open("r", encoding="utf-8") as handle:
        first = handle.readline()
    cells = [cell.strip() for cell in first.split(",")]
    try:
        [float(cell) for cell in cells if cell]
        skip = 0
    except ValueError:
        skip = 1  # a header row
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # an empty file is reported below, not warned
            data = np.loadtxt(path, delimiter=",", skiprows=skip, ndmin=2, dtype=np.float64)
    except ValueError as exc:
        raise InputError(f"{path}: not a numeric CSV ({str(exc).splitlines()[0]})") from None
    if data.size == 0:
        raise InputError(f"{path}: no data rows")
    return data


def load_array(spec: str, *, default_key: str) -> NDArray:
    """The array in ``spec``: ``FILE.npy``, ``FILE.csv``, ``FILE.npz`` or ``FILE.npz:KEY``.

    For an ``.npz`` without a key: its only array, else the array named ``default_key``.
    """
    path, key = _split_key(spec)
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    suffix = path.suffix.lower()
    try:
        if suffix == ".npy":
            return np.load(path, allow_pickle=False)
        if suffix == ".csv":
            return _read_csv(path)
        if suffix == ".npz":
            with np.load(path, allow_pickle=False) as archive:
                names = list(archive.files)
                if key is None:
                    key = names[0] if len(names) == 1 else default_key
                if key not in names:
                    raise InputError(
                        f"{path}: no array named {key!r} (it has {', '.join(names) or 'none'}); "
                        f"name one as {path}:NAME"
                    )
                return archive[key]
    except InputError:
        raise
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as exc:
        raise InputError(
            f"{path}: cannot read it as {suffix} ({str(exc).splitlines()[0]})"
        ) from None
    raise InputError(f"{path}: unknown file type {suffix!r} (use .npy, .npz or .csv)")


def load_matrix(spec: str, *, default_key: str, what: str, min_columns: int) -> NDArray[np.float64]:
    """A numeric ``[n, m]`` array (``m >= min_columns``) from ``spec``, e.g. soft labels."""
    raw = load_array(spec, default_key=default_key)
    try:
        arr = np.asarray(raw, dtype=np.float64)
    except (TypeError, ValueError):
        raise InputError(f"{spec}: not numeric (dtype {raw.dtype})") from None
    if arr.ndim != 2 or arr.shape[1] < min_columns:
        raise InputError(
            f"{spec}: expected {what} of shape [n, m] with m >= {min_columns}, got {arr.shape}"
        )
    return arr


def load_label_vector(spec: str, *, rows: int, rows_spec: str) -> NDArray:
    """A ``[n]`` array of labels from ``spec`` (a single column or row is flattened), with as
    many entries as ``rows_spec`` has rows; its values are checked by the caller."""
    labels = np.asarray(load_array(spec, default_key="labels"))
    if labels.ndim == 2 and 1 in labels.shape:
        labels = labels.ravel()
    if labels.ndim != 1:
        raise InputError(f"{spec}: expected labels of shape [n], got {labels.shape}")
    if labels.shape[0] != rows:
        raise InputError(
            f"mismatched lengths: {rows_spec} has {rows} rows, {spec} has {labels.shape[0]} labels"
        )
    return labels
