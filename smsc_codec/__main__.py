"""``python -m smsc_codec``: the ``smsc-codec`` command line."""

from __future__ import annotations

import sys

from smsc_codec._cli import main

if __name__ == "__main__":
    sys.exit(main())
