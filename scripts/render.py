"""Render ${VAR} placeholders of a template from the environment; fail on a missing one."""

import os
import re
import sys

text = open(sys.argv[1]).read()
missing = sorted({m for m in re.findall(r"\$\{(\w+)\}", text) if m not in os.environ})
if missing:
    sys.exit(f"render: unset variables: {', '.join(missing)}")
sys.stdout.write(re.sub(r"\$\{(\w+)\}", lambda m: os.environ[m.group(1)], text))
