#!/usr/bin/env python3
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from acs import *  # noqa: E402,F403

DOC = """RCC.14 Table 8 row 7 (Table 6): version and validity -2: the configuration
is removed, no query at start until a user action."""


if __name__ == "__main__":
    main(lambda tap: version_removed(tap, -2))
