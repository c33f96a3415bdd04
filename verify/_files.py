"""Reading a user's arrays from ``.npy``, ``.npz`` (named arrays) or ``.csv`` files.

Every failure is an :class:`InputError` whose message names the file and says what is wrong
in one line; the command line prints it and exits with status 2.
"""

from __future__ import annotations

import re
import warnings
import zipfile
from pathlib import Path
from typing import Any, Literal

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


#: ``--csv-header``: ``auto`` (the default) decides by :func:`_has_header`; ``yes`` and
#: ``no`` say so for every CSV a command reads.
Header = Literal["auto", "yes", "no"]
HEADERS: tuple[Header, ...] = ("auto", "yes", "no")


def add_header_argument(parser: Any) -> None:
    """``--csv-header`` on a command that reads CSV inputs."""
    parser.add_argument(
        "--csv-header",
        choices=HEADERS,
        default="auto",
        help="whether CSV inputs start with a header row (default auto: a non-numeric first "
        "row, or pandas' 0,1,..,m-1 over data it cannot be part of; refused when unclear)",
    )


_INTEGER = re.compile(r"[+-]?\d+")


def _has_header(path: Path, rows: int | None) -> bool:
    """Whether a CSV's first row is a header, by a rule that cannot take a numeric header
    for data:

    - a first row with a cell that is not a number is a header;
    - a first row that is exactly ``0,1,...,m-1`` is what pandas writes over unnamed
      columns (``0`` over a Series): a header when some later cell is not an integer
      (float data under integer names) or when the file has one row more than the
      ``rows`` expected; data when it has exactly ``rows``; otherwise the two readings
      cannot be told apart and the file is refused (``--csv-header`` decides);
    - any other numeric first row is data.
    """
    with path.open("r", encoding="utf-8-sig") as handle:  # a BOM (Excel's "CSV UTF-8")
        lines = [line.strip() for line in handle if line.strip()]
    if not lines:
        return False
    first = [cell.strip() for cell in lines[0].split(",")]
    if len(first) > 1 and first[0] == "" and first[1:] == [str(i) for i in range(len(first) - 1)]:
        raise InputError(
            f"{path}: the first row {lines[0]!r} is pandas' header over an index column, "
            "which would be read as data; write the file with to_csv(..., index=False)"
        )
    try:
        [float(cell) for cell in first if cell]
    except ValueError:
        return True
    if first != [str(i) for i in range(len(first))]:
        return False
    cells = (cell.strip() for line in lines[1:] for cell in line.split(","))
    if any(cell and not _INTEGER.fullmatch(cell) for cell in cells):
        return True
    if rows is not None and len(lines) in (rows, rows + 1):
        return len(lines) == rows + 1
    raise InputError(
        f"{path}: the first row {lines[0]!r} may be pandas' column names or data; say which "
        "with --csv-header yes or --csv-header no"
    )


def _read_csv(path: Path, header: Header, rows: int | None) -> NDArray[np.float64]:
    skip = int(_has_header(path, rows)) if header == "auto" else int(header == "yes")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # an empty file is reported below, not warned
            data = np.loadtxt(
                path, delimiter=",", skiprows=skip, ndmin=2, dtype=np.float64, encoding="utf-8-sig"
            )
    except ValueError as exc:
        raise InputError(f"{path}: not a numeric CSV ({str(exc).splitlines()[0]})") from None
    if data.size == 0:
        raise InputError(f"{path}: no data rows")
    return data


def _check_readable(path: Path) -> None:
    """A regular file, or an :class:`InputError` saying what is there instead."""
    try:
        if path.is_file():
            return
        if path.is_dir():
            raise InputError(f"{path}: a directory, not a file")
        if path.is_symlink():
            raise InputError(f"{path}: a symbolic link that loops or leads nowhere")
        if path.exists():
            raise InputError(f"{path}: not a regular file")
    except OSError as exc:  # a loop deeper in the path, a name too long, ...
        raise InputError(f"{path}: cannot be opened ({exc.strerror or exc})") from None
    raise InputError(f"{path}: no such file")


def _real(raw: NDArray, spec: str) -> None:
    """Refuse what float64 would silently change: complex values lose their imaginary part."""
    if raw.dtype.kind == "c":
        raise InputError(f"{spec}: complex values (dtype {raw.dtype}); expected real numbers")


def load_array(
    spec: str, *, default_key: str, header: Header = "auto", rows: int | None = None
) -> NDArray:
    """The array in ``spec``: ``FILE.npy``, ``FILE.csv``, ``FILE.npz`` or ``FILE.npz:KEY``.

    For an ``.npz`` without a key: its only array, else the array named ``default_key``.
    A CSV's header is found by ``header`` (see :func:`_has_header`; ``rows``, when known,
    is the number of data rows expected).
    """
    path, key = _split_key(spec)
    _check_readable(path)
    suffix = path.suffix.lower()
    try:
        if suffix == ".npy":
            return np.load(path, allow_pickle=False)
        if suffix == ".csv":
            return _read_csv(path, header, rows)
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


def load_matrix(
    spec: str,
    *,
    default_key: str,
    what: str,
    min_columns: int,
    header: Header = "auto",
    simplex: bool = False,
) -> NDArray[np.float64]:
    """A real ``[n, m]`` array (``n >= 1``, ``m >= min_columns``) from ``spec``, as float64.

    ``simplex``: the rows are probability vectors; when stored in a precision coarser than
    float64 (float16, float32), rows whose sum is within that precision's rounding of 1
    (``m`` times its machine epsilon) are divided by their sum, so the file's rounding is
    not taken for a wrong soft label. Other rows are left for the caller to refuse.
    """
    raw = np.asarray(load_array(spec, default_key=default_key, header=header))
    _real(raw, spec)
    try:
        arr = np.asarray(raw, dtype=np.float64)
    except (TypeError, ValueError):
        raise InputError(f"{spec}: not numeric (dtype {raw.dtype})") from None
    if arr.ndim != 2 or arr.shape[1] < min_columns:
        raise InputError(
            f"{spec}: expected {what} of shape [n, m] with m >= {min_columns}, got {arr.shape}"
        )
    if arr.shape[0] == 0:
        raise InputError(f"{spec}: no rows")
    if simplex and raw.dtype.kind == "f" and np.finfo(raw.dtype).eps > 1e-12:
        with np.errstate(all="ignore"):
            sums = arr.sum(axis=1, keepdims=True)
            rounding = np.abs(sums - 1.0) <= arr.shape[1] * float(np.finfo(raw.dtype).eps)
            arr = np.where(rounding, arr / sums, arr)
    return arr


def load_label_vector(
    spec: str, *, rows: int, rows_spec: str, header: Header = "auto", at_most: bool = False
) -> NDArray:
    """A ``[n]`` array of labels from ``spec`` (a single column or row is flattened), with as
    many entries as ``rows_spec`` has rows (``at_most``: between 1 and that many, labelling
    its first rows); its values are checked by the caller."""
    expected = None if at_most else rows
    labels = np.asarray(load_array(spec, default_key="labels", header=header, rows=expected))
    _real(labels, spec)
    if labels.ndim == 2 and 1 in labels.shape:
        labels = labels.ravel()
    if labels.ndim != 1:
        raise InputError(f"{spec}: expected labels of shape [n], got {labels.shape}")
    if at_most and 0 < labels.shape[0] <= rows:
        return labels
    if at_most:
        raise InputError(
            f"{spec}: expected 1 to {rows} labels (for the first rows of {rows_spec}), got "
            f"{labels.shape[0]}"
        )
    if labels.shape[0] != rows:
        raise InputError(
            f"mismatched lengths: {rows_spec} has {rows} rows, {spec} has {labels.shape[0]} labels"
        )
    return labels
