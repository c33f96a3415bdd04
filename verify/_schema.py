"""Typed records to and from JSON, validated field by field.

Measurements are frozen dataclasses; ``report.json`` and the cell files hold them as JSON,
and whatever reads them back (a resumed run, ``figures``) gets the same types again, or a
:class:`SchemaError` that names the offending path. Non-finite floats are written as the
strings ``"nan"``, ``"inf"`` and ``"-inf"`` (strict JSON has no such numbers) and read back
as floats.

Supported field types: ``bool``, ``int``, ``float``, ``str``, ``None``, unions (``X | None``),
``Literal``, ``list[X]``, ``tuple[X, ...]``, ``dict[str, X]``, nested dataclasses and
:data:`Json` (any JSON value, for free-form detail such as a counterexample that no code
reads back).
"""

from __future__ import annotations

import dataclasses
import functools
import math
import types
import typing
from typing import Any, Literal, TypeVar, Union, get_args, get_origin

#: Any JSON value: for free-form detail (counterexamples, settings) that no code reads as data.
Json = Any

T = TypeVar("T")

_NONFINITE = {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}


class SchemaError(ValueError):
    """A JSON value does not have the shape its record type asks for."""


def to_json(value: Any) -> Any:
    """A record (dataclasses, numpy values, containers) as plain JSON-ready values."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_json(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if hasattr(value, "tolist"):  # numpy arrays and scalars
        value = value.tolist()
    if isinstance(value, dict):
        return {str(k): to_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_json(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")
    return value


@functools.cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _describe(data: Any) -> str:
    text = repr(data)
    return f"{type(data).__name__} {text if len(text) <= 40 else text[:37] + '...'}"


def from_json(tp: Any, data: Any, path: str = "$") -> Any:
    """``data`` (parsed JSON) as a value of type ``tp``; :class:`SchemaError` naming the
    path of the first mismatch otherwise."""
    if tp is Any:
        return data
    origin = get_origin(tp)
    if origin in (Union, types.UnionType):
        for option in get_args(tp):
            try:
                return from_json(option, data, path)
            except SchemaError:
                continue
        raise SchemaError(f"{path}: expected {tp}, got {_describe(data)}")
    if origin is Literal:
        if data in get_args(tp) and not isinstance(data, bool | dict | list):
            return data
        raise SchemaError(f"{path}: expected one of {get_args(tp)}, got {_describe(data)}")
    if origin is list:
        (item,) = get_args(tp)
        if not isinstance(data, list):
            raise SchemaError(f"{path}: expected a list, got {_describe(data)}")
        return [from_json(item, v, f"{path}[{i}]") for i, v in enumerate(data)]
    if origin is tuple:
        args = get_args(tp)
        if not isinstance(data, list):
            raise SchemaError(f"{path}: expected a list, got {_describe(data)}")
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(from_json(args[0], v, f"{path}[{i}]") for i, v in enumerate(data))
        if len(args) != len(data):
            raise SchemaError(f"{path}: expected {len(args)} entries, got {len(data)}")
        pairs = enumerate(zip(args, data, strict=True))
        return tuple(from_json(a, v, f"{path}[{i}]") for i, (a, v) in pairs)
    if origin is dict:
        _, value_type = get_args(tp)
        if not isinstance(data, dict):
            raise SchemaError(f"{path}: expected an object, got {_describe(data)}")
        return {k: from_json(value_type, v, f"{path}.{k}") for k, v in data.items()}
    if dataclasses.is_dataclass(tp):
        return _dataclass_from_json(tp, data, path)
    return _scalar(tp, data, path)


def _scalar(tp: Any, data: Any, path: str) -> Any:
    if tp is type(None) or tp is None:
        if data is None:
            return None
    elif tp is bool:
        if isinstance(data, bool):
            return data
    elif tp is int:
        if isinstance(data, int) and not isinstance(data, bool):
            return data
    elif tp is float:
        if isinstance(data, int | float) and not isinstance(data, bool):
            return float(data)
        if isinstance(data, str) and data in _NONFINITE:
            return _NONFINITE[data]
    elif tp is str:
        if isinstance(data, str):
            return data
    else:
        raise TypeError(f"{path}: unsupported field type {tp!r}")
    name = "null" if tp in (None, type(None)) else tp.__name__
    raise SchemaError(f"{path}: expected {name}, got {_describe(data)}")


def _dataclass_from_json(cls: Any, data: Any, path: str) -> Any:
    if not isinstance(data, dict):
        raise SchemaError(f"{path}: expected an object ({cls.__name__}), got {_describe(data)}")
    hints = _hints(cls)
    fields = [f for f in dataclasses.fields(cls) if f.init]
    names = {f.name for f in fields}
    unknown = sorted(set(data) - names)
    if unknown:
        raise SchemaError(f"{path}: unknown fields for {cls.__name__}: {', '.join(unknown)}")
    values = {}
    for f in fields:
        if f.name not in data:
            if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
                raise SchemaError(f"{path}: missing field {f.name!r} of {cls.__name__}")
            continue
        values[f.name] = from_json(hints[f.name], data[f.name], f"{path}.{f.name}")
    try:
        return cls(**values)
    except (TypeError, ValueError) as exc:
        raise SchemaError(f"{path}: not a valid {cls.__name__} ({exc})") from None


def parse(cls: type[T], data: Any, path: str = "$") -> T:
    """``data`` as an instance of the dataclass ``cls`` (typed wrapper of :func:`from_json`)."""
    value: T = from_json(cls, data, path)
    return value
