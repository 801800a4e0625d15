"""Print the coverage totals of `make coverage` (scripts/coverage.sh) from its reports:
coverage/python.json (coverage.py) and coverage/web/coverage-summary.json (Vitest, V8)."""

from __future__ import annotations

import json
import sys
from pathlib import Path


def _pct(covered: float, total: float) -> str:
    return f"{100 * covered / total:.1f}%" if total else "n/a"


def summary(out: Path) -> list[str]:
    lines = ["Coverage totals"]
    python = out / "python.json"
    if python.exists():
        totals = json.loads(python.read_text())["totals"]
        lines.append(
            f"  Python (contracts, api, agent): lines {_pct(totals['covered_lines'], totals['num_statements'])}"
            f" ({totals['covered_lines']}/{totals['num_statements']}),"
            f" branches {_pct(totals.get('covered_branches', 0), totals.get('num_branches', 0))}"
        )
    else:
        lines.append("  Python: no report (the suite did not run)")
    web = out / "web" / "coverage-summary.json"
    if web.exists():
        total = json.loads(web.read_text())["total"]
        lines.append(
            "  Web (vitest, src/): "
            + ", ".join(
                f"{kind} {total[kind]['pct']}% ({total[kind]['covered']}/{total[kind]['total']})"
                for kind in ("lines", "statements", "branches", "functions")
            )
        )
    else:
        lines.append("  Web: no report (the suite did not run)")
    return lines


if __name__ == "__main__":
    print("\n".join(summary(Path(sys.argv[1]))))
