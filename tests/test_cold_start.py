"""A process's first decode: ``import smsc_codec`` loads neither lark nor
defusedxml, and decoding loads only what the body needs (the grammars are
read without lark, a plain XML record by a regex; defusedxml for any other
XML).

The time of a first decode is measured by ``benchmarks/test_cold_start.py``.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

BODIES = {
    0: ("Status = 1, check_time = 10.10.2010 10:10:10, err = 0", "status.php?id=1&phone=2&fmt=0"),
    1: ("1,1286524541,0", "status.php?id=1&phone=2&fmt=1"),
    2: ("<sms>\n<status>1</status>\n</sms>", "status.php?id=1&phone=2&fmt=2"),
    3: ('{"status": 1, "err": 0}', "status.php?id=1&phone=2&fmt=3"),
    # (-2: an XML body with markup other than plain elements)
    -2: ("<sms>\n<!-- a comment -->\n<status>1</status>\n</sms>", "status.php?id=1&phone=2&fmt=2"),
}

PROGRAM = """
import json, sys
import smsc_codec
after_import = sorted(m for m in ("lark", "defusedxml") if m in sys.modules)
body, request = json.loads(sys.argv[1])
smsc_codec.decode(body, request)
after_decode = sorted(m for m in ("lark", "defusedxml") if m in sys.modules)
print(json.dumps([after_import, after_decode]))
"""


@pytest.mark.parametrize("fmt", sorted(BODIES))
def test_a_first_decode_loads_only_what_its_format_needs(fmt: int) -> None:
    done = subprocess.run(
        [sys.executable, "-c", PROGRAM, json.dumps(BODIES[fmt])],
        capture_output=True,
        text=True,
        check=True,
    )
    after_import, after_decode = json.loads(done.stdout)
    assert after_import == []
    assert after_decode == (["defusedxml"] if fmt == -2 else [])
