"""``python -m figures``: see ``figures._cli``."""

import sys

from figures._cli import main

sys.exit(main())
