"""`python -m vidsort_tui.cli`: the same as the `vidsort-tui` command."""

import sys

from vidsort_tui.cli.entry import main

sys.exit(main())
