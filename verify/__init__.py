"""What actually happens: JAX-trained students and named claims that put the theory's
predictions beside measurements.

Run suites with ``python -m verify run --suite quick --out DIR``; list claims with
``python -m verify list``; measure your own soft labels with ``python -m verify indicators``.
The result schema (what ``report.json`` holds, read back typed) is ``verify.schema``, the
one part of this package ``figures`` reads.

Importing this package before JAX gives JAX one device per CPU core (see ``verify._jaxsetup``).
"""

import os
import signal
import sys

from verify._jaxsetup import configure_host_devices


def _interrupted_while_loading(signum: int, frame: object) -> None:
    # An exception raised inside JAX's native initialization can abort the interpreter or be
    # swallowed by a callback; there is no work to lose yet, so leave at once.
    os.write(2, b"\ninterrupted\n")
    os._exit(130)


# `python -m verify|figures` is loading us (argv[0] is "-m" until the module is found):
# Ctrl-C now exits 130 like the commands do; a program importing us keeps its own Ctrl-C.
_COMMAND = sys.argv[:1] == ["-m"]
_SIGINT = signal.signal(signal.SIGINT, _interrupted_while_loading) if _COMMAND else None

configure_host_devices()  # before anything imports JAX

# ruff: noqa: E402  (the imports below load JAX)
from verify._catalog import all_claims as all_claims
from verify._catalog import select as select
from verify._cells import CellStore as CellStore
from verify._losses import set_cross_entropy as set_cross_entropy
from verify._losses import soft_cross_entropy as soft_cross_entropy
from verify._models import Model as Model
from verify._models import linear as linear
from verify._models import mlp as mlp
from verify._population import Population as Population
from verify._population import TargetLaw as TargetLaw
from verify._population import class_reference as class_reference
from verify._population import class_target_law as class_target_law
from verify._population import one_set_minimizer as one_set_minimizer
from verify._population import population_minimizer as population_minimizer
from verify._population import sampled_reference as sampled_reference
from verify._registry import register as register
from verify._report import build_report as build_report
from verify._report import render_markdown as render_markdown
from verify._runner import run_claims as run_claims
from verify._spec import CellContext as CellContext
from verify._spec import CellSpec as CellSpec
from verify._spec import ClaimSpec as ClaimSpec
from verify._spec import Judgement as Judgement
from verify._spec import Per as Per
from verify._spec import Status as Status
from verify._spec import Verdict as Verdict
from verify._students import ClassOracles as ClassOracles
from verify._students import Curve as Curve
from verify._students import class_oracles as class_oracles
from verify._students import learning_curve as learning_curve
from verify._students import student_grid as student_grid
from verify._train import TrainConfig as TrainConfig
from verify._train import TrainResult as TrainResult
from verify._train import predict as predict
from verify._train import probabilities as probabilities
from verify._train import train as train
from verify.schema import ClaimResult as ClaimResult
from verify.schema import Report as Report
from verify.schema import load_report as load_report

if _COMMAND:  # loaded: the command's own handling of Ctrl-C takes over
    signal.signal(signal.SIGINT, _SIGINT)

__all__ = [
    "CellContext",
    "CellSpec",
    "CellStore",
    "ClaimResult",
    "ClaimSpec",
    "ClassOracles",
    "Curve",
    "Judgement",
    "Model",
    "Per",
    "Population",
    "Report",
    "Status",
    "TargetLaw",
    "TrainConfig",
    "TrainResult",
    "Verdict",
    "all_claims",
    "class_reference",
    "class_target_law",
    "one_set_minimizer",
    "build_report",
    "class_oracles",
    "learning_curve",
    "linear",
    "load_report",
    "mlp",
    "population_minimizer",
    "sampled_reference",
    "predict",
    "probabilities",
    "register",
    "render_markdown",
    "run_claims",
    "select",
    "set_cross_entropy",
    "soft_cross_entropy",
    "student_grid",
    "train",
]
