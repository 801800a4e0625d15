"""A job process loads its models at a background CPU priority.

With the process executor, LiveKit's pool starts the next idle job process the moment a job
takes the current one, so the next process loads every model (~10 CPU-s) during the new
session's first turns; on a 2-core host that doubled the first reply's time (bench/voice_latency
worker logs). ``lower_for_prewarm`` gives the loading process's threads (and the model threads
they start) the nice value ``TROUPE_AGENT_PREWARM_NICE`` (default 10; 0: off), and
``restore`` puts every thread of the process back to 0 when a job starts. Linux nice values are
per thread, hence the walk over ``/proc/self/task``. Raising a thread's priority again needs
CAP_SYS_NICE (or an RLIMIT_NICE that allows it): where the process cannot, nothing is lowered."""

import os
import threading

from troupe_agent.logging import get_logger

log = get_logger(__name__)

DEFAULT_PREWARM_NICE = 10


def prewarm_nice() -> int:
    """``TROUPE_AGENT_PREWARM_NICE`` (0..19; 0: load at normal priority)."""
    raw = os.environ.get("TROUPE_AGENT_PREWARM_NICE", "")
    return DEFAULT_PREWARM_NICE if raw.strip() == "" else max(0, min(19, int(raw)))


def can_restore() -> bool:
    """Whether this process may lower a thread's nice value again (tried on a throwaway
    thread, so no other thread is touched)."""
    if not hasattr(os, "setpriority") or not os.path.isdir("/proc/self/task"):
        return False
    ok: list[bool] = []

    def probe() -> None:
        tid = threading.get_native_id()
        try:
            os.setpriority(os.PRIO_PROCESS, tid, 1)
            os.setpriority(os.PRIO_PROCESS, tid, 0)
            ok.append(True)
        except OSError:
            ok.append(False)

    thread = threading.Thread(target=probe, name="nice-probe")
    thread.start()
    thread.join()
    return bool(ok and ok[0])


def lower_for_prewarm() -> bool:
    """Lowers the calling thread's priority (threads it starts inherit it). False when off or
    when it could not be undone."""
    nice = prewarm_nice()
    if nice == 0 or not can_restore():
        return False
    os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), nice)
    return True


def restore() -> int:
    """Every thread of the process back to nice 0; the number of threads changed."""
    changed = 0
    try:
        tids = [int(t) for t in os.listdir("/proc/self/task")]
    except OSError:
        return 0
    for tid in tids:
        try:
            if os.getpriority(os.PRIO_PROCESS, tid) != 0:
                os.setpriority(os.PRIO_PROCESS, tid, 0)
                changed += 1
        except OSError as e:  # a thread that just ended, or no permission
            log.debug("thread priority not restored", tid=tid, error=str(e))
    return changed
