"""``python -m figures``: see ``figures._cli``."""

import sys

try:
    from figures._cli import main
except KeyboardInterrupt:  # Ctrl-C while matplotlib and the schema load
    print("\ninterrupted", file=sys.stderr)
    sys.exit(130)

sys.exit(main())
