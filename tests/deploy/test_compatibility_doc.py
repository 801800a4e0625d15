"""docs/compatibility.md names the LiveKit versions `make test` really runs together."""

import json
import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def documented() -> dict[str, str]:
    rows = re.findall(
        r"^\| [^|]+ \| ([^|]+) \| ([0-9.]+) \|$",
        (ROOT / "docs" / "compatibility.md").read_text(),
        re.M,
    )
    return {package.strip(): version for package, version in rows}


def locked_python(name: str) -> str:
    lock = tomllib.loads((ROOT / "uv.lock").read_text())
    return next(p["version"] for p in lock["package"] if p["name"] == name)


def test_the_compatibility_table_matches_the_pins() -> None:
    doc = documented()
    server = re.search(
        r'^LIVEKIT_VERSION="v([0-9.]+)"', (ROOT / "scripts" / "lib.sh").read_text(), re.M
    )
    assert server and doc["livekit-server"] == server.group(1)
    npm = json.loads((ROOT / "web" / "package-lock.json").read_text())["packages"]
    for package in ("livekit-client", "@livekit/components-react"):
        assert doc[package] == npm[f"node_modules/{package}"]["version"], package
    assert doc["livekit-agents"] == locked_python("livekit-agents")
    assert doc["livekit-api"] == locked_python("livekit-api")
    plugins = next(v for k, v in doc.items() if k.startswith("livekit-plugins-silero"))
    assert (
        plugins
        == locked_python("livekit-plugins-silero")
        == locked_python("livekit-plugins-openai")
    )
