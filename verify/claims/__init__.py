"""The registered claims; importing this package registers them in suite order."""

from verify.claims import _consistency as _consistency
from verify.claims import _facts as _facts
from verify.claims import _learnability as _learnability
from verify.claims import _learners as _learners
