"""Every claim, found and ordered: the claim modules on disk, the registry and the suite
table must agree, or loading the catalog fails with a message saying what to fix."""

from __future__ import annotations

import fnmatch
import functools
import importlib
import pkgutil
from typing import Any

from verify._registry import registered
from verify._spec import ClaimSpec
from verify._suites import ORDER, SIZES

#: Modules of ``verify.claims`` that hold shared helpers, not claims.
HELPERS = frozenset({"_common", "_training"})


def claim_modules() -> list[str]:
    """Names of the modules in ``verify/claims`` that declare claims."""
    import verify.claims

    return sorted(
        info.name
        for info in pkgutil.iter_modules(verify.claims.__path__)
        if info.name not in HELPERS
    )


@functools.lru_cache(maxsize=1)
def _load() -> tuple[ClaimSpec[Any, Any], ...]:
    for name in claim_modules():
        importlib.import_module(f"verify.claims.{name}")
    specs = registered()
    missing = [i for i in specs if i not in ORDER]
    if missing:
        raise RuntimeError(
            f"claims {missing} are registered but not in the suite table's ORDER "
            "(verify/_suites.py)"
        )
    absent = [i for i in ORDER if i not in specs]
    if absent:
        raise RuntimeError(f"the suite table lists claims that no module registers: {absent}")
    for spec in specs.values():
        for cell in spec.needs:
            if cell.sizes not in SIZES:
                raise RuntimeError(
                    f"cell {cell.id!r} of claim {spec.id!r} reads sizes {cell.sizes!r}, which "
                    "the suite table (verify/_suites.py) does not have"
                )
    return tuple(specs[i] for i in ORDER)


def all_claims() -> list[ClaimSpec[Any, Any]]:
    """Every claim, in suite order."""
    return list(_load())


def select(pattern: str | None = None) -> list[ClaimSpec[Any, Any]]:
    """Claims whose id matches the shell-style ``pattern`` (all when ``None``), in suite
    order; several patterns are separated by commas (``'thm-C*,sbt/*'``), and each must
    match some claim."""
    specs = all_claims()
    if pattern is None:
        return specs
    parts = [p.strip() for p in pattern.split(",") if p.strip()] or [pattern]
    for part in parts:
        if not any(fnmatch.fnmatchcase(s.id, part) for s in specs):
            known = ", ".join(s.id for s in specs)
            raise ValueError(f"--claims {part!r} matches no claim; known claims: {known}")
    return [s for s in specs if any(fnmatch.fnmatchcase(s.id, p) for p in parts)]
