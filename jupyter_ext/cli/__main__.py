"""`python -m jupyter_ext.cli`: the same as `jupyter-ext`."""

from __future__ import annotations

import sys

from . import main

sys.exit(main())
