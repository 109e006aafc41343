#!/usr/bin/env python3
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from acs import *  # noqa: E402,F403

DOC = """RCC.14 Table 8 row 6 (Table 5): version and validity -1: the configuration
is removed, no query at start until SIM change or factory reset (an SMS trigger re-enables it)."""


if __name__ == "__main__":
    main(lambda tap: version_removed(tap, -1))
