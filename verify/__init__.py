"""What actually happens: named claims that put the theory's predictions beside measurements.

Run suites with ``python -m verify run --suite quick --out DIR``; list claims with
``python -m verify list``. The report schema (``report.json``) is what ``figures`` reads.
"""

from verify._claim import Claim as Claim
from verify._claim import Status as Status
from verify._claim import Verdict as Verdict
from verify._registry import Context as Context
from verify._registry import all_claims as all_claims
from verify._registry import claim as claim
from verify._registry import select as select
from verify._report import build_report as build_report
from verify._report import render_markdown as render_markdown
from verify._runner import run_claims as run_claims

__all__ = [
    "Claim",
    "Context",
    "Status",
    "Verdict",
    "all_claims",
    "build_report",
    "claim",
    "render_markdown",
    "run_claims",
    "select",
]
