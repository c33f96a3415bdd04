"""The claims: one module per family, each declaring its specs with ``register``.

``verify._catalog`` imports every module here (so none can be left out) and orders the
claims by the suite table (``verify/_suites.py``).
"""
