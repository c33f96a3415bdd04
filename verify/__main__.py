"""``python -m verify``: see ``verify._cli``."""

import sys

from verify._cli import main

sys.exit(main())
