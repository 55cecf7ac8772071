"""Fault tests: the workers of `drg group --workers 2` end with their parent, and Ctrl-C is clean.

Each test starts a real run in a subprocess (its own session, so a signal to its process
group reaches the parent and its workers as a terminal's Ctrl-C would), finds the worker
processes through /proc, and then kills the parent (SIGKILL, SIGTERM) or interrupts the
group (SIGINT). The run writes to a pipe the test never reads, so the parent stays blocked
mid-run with chunks in flight however fast the machine is.
"""
from __future__ import annotations

import gzip
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

FIXTURE = Path(__file__).parent / "fixtures" / "conformance_claims.jsonl.gz"
WORKERS_GONE_WITHIN = 5.0

@pytest.fixture(scope="module")
def big_input(tmp_path_factory) -> Path:
    """The conformance fixture twice over (about 8,700 distinct claims per copy of the run)."""
    path = tmp_path_factory.mktemp("workers") / "claims.jsonl"
    with gzip.open(FIXTURE, "rb") as source:
        claims = source.read()
    path.write_bytes(claims * 2)
    return path


def _ppid_and_state(pid: int) -> tuple[int, str] | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat.rsplit(")", 1)[1].split()      # the command name may hold spaces and parentheses
    return int(fields[1]), fields[0]


def children_of(pid: int) -> list[int]:
    """Live child processes of `pid` (a scan of /proc/*/stat: no psutil)."""
    out = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            info = _ppid_and_state(int(entry))
            if info is not None and info[0] == pid and info[1] != "Z":
                out.append(int(entry))
    return out


def alive(pid: int) -> bool:
    info = _ppid_and_state(pid)
    return info is not None and info[1] != "Z"      # a zombie has ended; only its entry is left


# `drg` as a terminal starts it: a shell starts background jobs with SIGINT ignored, and a
# process that inherits an ignored SIGINT keeps ignoring it, so the run restores Python's handler
DRG_AS_FROM_A_TERMINAL = ("import signal; signal.signal(signal.SIGINT, signal.default_int_handler); "
                          "from drg.cli import main; main(prog_name='drg')")


def start_run(big_input: Path) -> tuple[subprocess.Popen, list[int]]:
    """`drg group BIG -o - --workers 2` in its own session; returns it with its two worker pids."""
    process = subprocess.Popen(
        [sys.executable, "-c", DRG_AS_FROM_A_TERMINAL, "group", str(big_input), "-o", "-", "--workers", "2",
         "--chunk-size", "1000"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    deadline = time.monotonic() + 30
    workers: list[int] = []
    while time.monotonic() < deadline:
        workers = children_of(process.pid)
        if len(workers) >= 2:
            break
        assert process.poll() is None, process.stderr.read().decode()
        time.sleep(0.05)
    else:
        process.kill()
        pytest.fail(f"the run did not start 2 workers in 30 s (found {workers})")
    time.sleep(0.3)                                 # the workers are grouping their first chunks now
    assert process.poll() is None
    return process, workers


def wait_gone(pids: list[int], seconds: float) -> list[int]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        left = [pid for pid in pids if alive(pid)]
        if not left:
            return []
        time.sleep(0.05)
    return [pid for pid in pids if alive(pid)]


def _cleanup(process: subprocess.Popen, workers: list[int]) -> None:
    for pid in [process.pid, *workers]:
        if alive(pid):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
    process.stdout.close()
    process.stderr.close()
    process.wait(5)


@pytest.mark.parametrize("parent_signal", [signal.SIGKILL, signal.SIGTERM], ids=["SIGKILL", "SIGTERM"])
def test_workers_end_when_only_the_parent_is_killed(big_input, parent_signal):
    process, workers = start_run(big_input)
    try:
        os.kill(process.pid, parent_signal)          # the parent alone, as the out-of-memory killer does
        process.wait(10)
        left = wait_gone(workers, WORKERS_GONE_WITHIN)
        assert left == [], \
            f"workers {left} still running {WORKERS_GONE_WITHIN} s after the parent got {parent_signal!r}"
    finally:
        _cleanup(process, workers)


def test_ctrl_c_stops_the_run_with_one_line_and_no_worker_traceback(big_input):
    process, workers = start_run(big_input)
    try:
        os.killpg(process.pid, signal.SIGINT)        # Ctrl-C: the whole process group
        _, stderr = process.communicate(timeout=60)     # generous: the machine may be loaded
        text = stderr.decode()
        assert process.returncode == 130, text
        assert "Traceback" not in text and "KeyboardInterrupt" not in text, text
        assert "interrupted" in text
        assert wait_gone(workers, WORKERS_GONE_WITHIN) == []
    finally:
        _cleanup(process, workers)


FALLBACK_ONLY = """
import os, sys, time
import drg.workers as workers
workers._die_with_parent = lambda: None      # as on a system without prctl: the watch thread alone
if os.fork() == 0:
    workers.start_worker(os.getppid())
    print(os.getpid(), flush=True)           # the worker is set up: SIGINT ignored, watch running
    time.sleep(60)
    os._exit(0)
time.sleep(60)
"""


def test_without_prctl_the_watch_thread_ends_an_orphaned_worker():
    parent = subprocess.Popen([sys.executable, "-c", FALLBACK_ONLY], stdout=subprocess.PIPE, text=True)
    worker = int(parent.stdout.readline())
    try:
        status = Path(f"/proc/{worker}/status").read_text()
        ignored = int(next(line for line in status.splitlines() if line.startswith("SigIgn:")).split()[1], 16)
        assert ignored & (1 << (signal.SIGINT - 1)), "a worker must ignore SIGINT"
        assert alive(worker)
        parent.kill()
        parent.wait(5)
        assert wait_gone([worker], 3 * 0.5 + 1.0) == []
    finally:
        if alive(worker):
            os.kill(worker, signal.SIGKILL)
        parent.stdout.close()
