"""The registered claims; importing this package registers them in suite order."""
# ruff: noqa: I001  (the import order is the order claims run and are reported in)

from verify.claims import _facts as _facts
from verify.claims import _consistency as _consistency
from verify.claims import _learners as _learners
from verify.claims import _learnability as _learnability
from verify.claims import _trained as _trained
from verify.claims import _curves as _curves
from verify.claims import _phase as _phase
from verify.claims import _applications as _applications
from verify.claims import _incomplete as _incomplete
from verify.claims import _headline as _headline
