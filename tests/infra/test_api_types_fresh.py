"""The web app's generated API types (web/src/lib/api/schema.d.ts) match the API's OpenAPI
document as the code defines it now: regenerate with `make api-types` and commit."""

import json
import os
import subprocess
from pathlib import Path

from troupe_api.core.settings import Settings
from troupe_api.main import create_app

ROOT = Path(__file__).resolve().parents[2]
COMMITTED = ROOT / "web" / "src" / "lib" / "api" / "schema.d.ts"


def test_web_api_types_are_generated_from_the_current_openapi(tmp_path: Path) -> None:
    spec = tmp_path / "openapi.json"
    spec.write_text(json.dumps(create_app(Settings()).openapi()))
    # Inside web/ so prettier applies the web's own config, as `make api-types` does.
    out = ROOT / "web" / ".api-types-check.d.ts"
    try:
        subprocess.run(
            ["node", "scripts/gen-api.mjs"],
            cwd=ROOT / "web",
            env={**os.environ, "TROUPE_OPENAPI_FILE": str(spec), "TROUPE_API_TYPES_OUT": str(out)},
            check=True,
            capture_output=True,
            timeout=120,
        )
        fresh = out.read_text()
    finally:
        out.unlink(missing_ok=True)
    assert COMMITTED.read_text() == fresh, "run `make api-types` and commit web/src/lib/api/"
