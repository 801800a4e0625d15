"""commit-msg hook: the first line must be a Conventional Commit (see CONTRIBUTING.md)."""

import re
import sys

TYPES = "feat|fix|docs|style|refactor|perf|test|build|ci|chore|revert"
first = open(sys.argv[1]).read().splitlines()[0] if len(sys.argv) > 1 else ""
if not re.match(rf"^({TYPES})(\([a-z0-9_,-]+\))?!?: .{{3,}}$", first) and not first.startswith(
    "Merge "
):
    sys.exit(f"commit message must look like 'feat(api): add session start' — got: {first!r}")
