"""The slow tier: the paper-size suite (about 23 minutes on 2 cores). Run with
``pytest -m slow``."""

from __future__ import annotations

import pytest

import verify


@pytest.mark.slow
def test_paper_suite_confirms_every_proved_claim() -> None:
    claims = verify.run_claims(verify.select(), suite="paper", seed=1, out=None, progress=None)
    failing = [c.id for c in claims if c.fails_suite]
    assert not failing, failing
    by_id = {c.id: c for c in claims}
    # Findings stay findings at ten times the size: both probes are refuted again.
    assert by_id["cc-surrogate"].verdict == "refuted"
    assert by_id["thm-C-average-delta"].verdict == "refuted"
