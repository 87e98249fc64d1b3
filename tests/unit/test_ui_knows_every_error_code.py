"""Every field error code the server can send has a sentence in the web UI.

The UI translates an `errors[]` entry by its `code` (web/src/lib/serverMessages.ts); a code
it does not know shows the server's English text even in Korean. This scans the services for
`field_error(field, "<code>", …)` and fails on any code the UI's table lacks.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def server_codes() -> dict[str, str]:
    codes = {}
    for path in (ROOT / "src" / "erp_engine").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            name = getattr(node, "func", None)
            called = getattr(name, "id", None) or getattr(name, "attr", None)
            if (
                isinstance(node, ast.Call)
                and called == "field_error"
                and len(node.args) >= 2
                and isinstance(node.args[1], ast.Constant)
            ):
                codes[node.args[1].value] = str(path.relative_to(ROOT))
    return codes


def test_the_ui_has_a_sentence_for_every_field_error_code():
    table = (ROOT / "web" / "src" / "lib" / "serverMessages.ts").read_text(encoding="utf-8")
    known = set(re.findall(r"^\s+([a-z_]+): (?:\[|[A-Z_]+,)", table, re.MULTILINE))
    codes = server_codes()
    assert len(codes) > 10  # the scan found the services' codes
    missing = {code: where for code, where in codes.items() if code not in known}
    assert not missing, f"add these codes to serverMessages.ts and both locales: {missing}"
