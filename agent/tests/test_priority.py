"""Job processes load models at a background priority and get it back for their job."""

import json
import subprocess
import sys

CODE = """
import json, os, threading, time
from troupe_agent import priority
lowered = priority.lower_for_prewarm()
seen = {}
def worker():
    seen['child'] = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    time.sleep(0.5)
t = threading.Thread(target=worker); t.start(); time.sleep(0.1)
main_before = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
changed = priority.restore()
after = sorted({os.getpriority(os.PRIO_PROCESS, int(x)) for x in os.listdir('/proc/self/task')})
t.join()
print(json.dumps({'lowered': lowered, 'can': priority.can_restore(), 'main_before': main_before,
                  'child': seen['child'], 'changed': changed, 'after': after}))
"""


def run(env_nice: str) -> dict[str, object]:
    env = {"TROUPE_AGENT_PREWARM_NICE": env_nice, "PATH": "/usr/bin:/bin"}
    out = subprocess.run(
        [sys.executable, "-c", CODE], capture_output=True, text=True, check=True, env=env
    )
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def test_loading_threads_are_lowered_and_restored_for_the_job() -> None:
    r = run("10")
    if not r["can"]:  # no CAP_SYS_NICE: nothing may be lowered that could not be undone
        assert r == {**r, "lowered": False, "main_before": 0, "child": 0, "changed": 0}
        return
    assert r["lowered"] is True
    assert r["main_before"] == 10 and r["child"] == 10  # threads started later inherit it
    assert r["changed"] == 2 and r["after"] == [0]


def test_zero_turns_it_off() -> None:
    r = run("0")
    assert r["lowered"] is False and r["main_before"] == 0 and r["child"] == 0
