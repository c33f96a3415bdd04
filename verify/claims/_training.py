"""What the claims on trained students share: the student and what "falls toward 0" means.

Kept apart from ``_common`` so that the claims on finite worlds, which train nothing, do not
depend on the trainer's code (a change to it recomputes only the cells that train).
"""

from __future__ import annotations

from verify._train import TrainConfig

#: The linear student of the trained claims: convex, so L-BFGS to a small gradient norm.
LINEAR = TrainConfig(model="linear", optimizer="lbfgs", steps=300, tol=1e-5, l2=1e-4)

#: "Falls toward 0" means the fitted log-log slope's upper 95% end is below this: a decay
#: slower than n^-0.1 would need 10^10 times more data to shrink tenfold, which at these
#: sample sizes is a plateau (a tight interval around -0.03 is not convergence).
DECAY = -0.1
