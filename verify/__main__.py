"""``python -m verify``: see ``verify._cli``."""

import sys

try:
    from verify._cli import main
except KeyboardInterrupt:  # Ctrl-C while the claims load
    print("\ninterrupted", file=sys.stderr)
    sys.exit(130)

sys.exit(main())
