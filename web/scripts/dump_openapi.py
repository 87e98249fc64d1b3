"""Print the server's OpenAPI document, built from `create_app()` without starting a server."""

from __future__ import annotations

import json
import sys

from erp_engine.api.app import create_app
from erp_engine.settings import Settings


def main() -> None:
    settings = Settings(_env_file=None, database_url="sqlite+aiosqlite:///:memory:")
    document = create_app(settings).openapi()
    json.dump(document, sys.stdout, ensure_ascii=False, indent=2, sort_keys=False)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
