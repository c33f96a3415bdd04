"""Where claim modules register their specs (``verify.claims`` holds the modules)."""

from __future__ import annotations

from typing import Any

from verify._spec import ClaimSpec

_CLAIMS: dict[str, ClaimSpec[Any, Any]] = {}


def register(spec: ClaimSpec[Any, Any]) -> ClaimSpec[Any, Any]:
    """Add ``spec`` to the registry (its id must be new); returns it."""
    if spec.id in _CLAIMS and _CLAIMS[spec.id] is not spec:
        raise ValueError(f"claim {spec.id!r} is registered twice")
    _CLAIMS[spec.id] = spec
    return spec


def registered() -> dict[str, ClaimSpec[Any, Any]]:
    """Every registered spec by id, in registration order."""
    return dict(_CLAIMS)
