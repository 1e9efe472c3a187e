"""`python -m childwatch.cli`: the `childwatch` command without its script."""

import sys

from childwatch.cli import main

sys.exit(main())
