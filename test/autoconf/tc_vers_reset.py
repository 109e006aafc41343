#!/usr/bin/env python3
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from acs import *  # noqa: E402,F403

DOC = """RCC.14 Table 8 row 5 (Table 4): version and validity 0: the configuration
is removed, queried again at the next start."""


if __name__ == "__main__":
    main(lambda tap: version_removed(tap, 0))
