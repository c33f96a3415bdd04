"""The result schema: typed records to JSON and back, and errors that name the field."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

import pytest

from verify._records import MeanCI, Rate
from verify._schema import Json, SchemaError, from_json, to_json
from verify.schema import SCHEMA_VERSION, load_report, parse_report


@dataclass(frozen=True)
class Inner:
    rate: Rate
    values: list[float]


@dataclass(frozen=True)
class Outer:
    name: str
    count: int
    flag: bool
    maybe: float | None
    pair: tuple[float, float]
    inner: list[Inner]
    by_name: dict[str, MeanCI]
    free: Json


def _example() -> Outer:
    return Outer(
        name="x",
        count=3,
        flag=True,
        maybe=None,
        pair=(0.5, math.inf),
        inner=[Inner(Rate.of(2, 4), [1.0, math.nan])],
        by_name={"a": MeanCI([1.0], [0.5], [1.5])},
        free={"anything": [1, "two"]},
    )


def test_round_trip_through_json_text() -> None:
    value = _example()
    text = json.dumps(to_json(value))  # strict JSON: non-finite floats become strings
    assert "NaN" not in text and '"nan"' in text and '"inf"' in text
    back = from_json(Outer, json.loads(text))
    assert back.inner[0].rate == value.inner[0].rate
    assert math.isnan(back.inner[0].values[1]) and back.pair == (0.5, math.inf)
    assert back.by_name == value.by_name and back.free == value.free and back.maybe is None


@pytest.mark.parametrize(
    ("path", "bad", "message"),
    [
        (("count",), "3", "$.count: expected int, got str"),
        (("count",), True, "$.count: expected int, got bool"),
        (("flag",), 1, "$.flag: expected bool"),
        (("pair",), [1.0], "$.pair: expected 2 entries"),
        (("inner", 0, "rate", "hits"), 2.5, "$.inner[0].rate.hits: expected int"),
        (("inner", 0, "values", 1), "many", "$.inner[0].values[1]: expected float"),
        (("by_name", "a", "mean"), {}, "$.by_name.a.mean: expected a list"),
    ],
)
def test_errors_name_the_path(path: tuple, bad: object, message: str) -> None:
    data = to_json(_example())
    node = data
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = bad
    with pytest.raises(SchemaError, match=message.replace("[", r"\[").replace("$", r"\$")):
        from_json(Outer, data)


def test_missing_and_unknown_fields_are_errors() -> None:
    data = to_json(_example())
    del data["count"]
    with pytest.raises(SchemaError, match="missing field 'count' of Outer"):
        from_json(Outer, data)
    data = {**to_json(_example()), "extra": 1}
    with pytest.raises(SchemaError, match="unknown fields for Outer: extra"):
        from_json(Outer, data)


def test_a_report_of_another_version_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "report.json").write_text(json.dumps({"suite": "quick", "claims": []}))
    with pytest.raises(SchemaError, match=f"version 1; .* reads version {SCHEMA_VERSION}"):
        load_report(tmp_path)
    with pytest.raises(SchemaError, match="not a report"):
        parse_report([1, 2])


def test_a_report_with_a_bad_measurement_names_it(quick_report: tuple) -> None:
    _, raw, _, _ = quick_report
    data = json.loads(json.dumps(raw))
    index = [c["id"] for c in data["claims"]].index("conditions/phase")
    data["claims"][index]["measurement"]["families"]["cc"]["decided"] = "lots"
    with pytest.raises(SchemaError, match=rf"\$\.claims\[{index}\]\.measurement\.families\.cc"):
        parse_report(data)
