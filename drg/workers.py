"""The lifetime of batch worker processes: they end with the run that started them.

A worker of `drg group --workers N` holds the tables (hundreds of MB). If its parent is killed
(SIGKILL, SIGTERM, the out-of-memory killer) a worker left alone would keep grouping chunks
nobody will read, or wait forever for the next one. Each worker therefore:

* on Linux asks the kernel to kill it when its parent dies (prctl PR_SET_PDEATHSIG), which
  takes effect at once;
* everywhere runs a small daemon thread that notices the parent is gone (its parent process
  id changes, or the run's process no longer exists) and ends the worker (`os._exit`);
* ignores SIGINT: Ctrl-C reaches the whole process group, and only the parent should act on
  it (it stops the workers and exits 130), so no worker prints a KeyboardInterrupt traceback.

`start_worker` is the ProcessPoolExecutor initializer; `parent_watch_args()` gives its
arguments; `sigint_held()` keeps Ctrl-C from reaching a worker in the moment between its
start and `start_worker`.
"""
from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import os
import signal
import sys
import threading
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor

PARENT_POLL_SECONDS = 0.5
_PR_SET_PDEATHSIG = 1          # linux/prctl.h
_EXIT_PARENT_GONE = 70         # any non-zero status: nobody reads it once the parent is gone


def parent_watch_args() -> tuple[int]:
    """The initializer arguments: the process id of the run (the process creating the pool)."""
    return (os.getpid(),)


def start_worker(run_pid: int) -> None:
    """ProcessPoolExecutor initializer: tie this worker's life to the run `run_pid`."""
    _ignore_sigint()
    parent = os.getppid()
    _die_with_parent()
    # the run may have died before the line above took effect: then this worker is already
    # an orphan, adopted by init or a subreaper
    if not _parent_alive(run_pid, parent):
        os._exit(_EXIT_PARENT_GONE)
    watch = threading.Thread(target=_watch_parent, args=(run_pid, parent), name="drg-parent-watch", daemon=True)
    watch.start()


def _ignore_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


def _die_with_parent() -> None:
    """Linux: the kernel sends SIGKILL to this process when its parent exits. A no-op elsewhere."""
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
    except (OSError, AttributeError):      # no usable libc: the watch thread still ends the worker
        pass


def _parent_alive(run_pid: int, parent: int) -> bool:
    """Whether the worker's parent at start (`parent`) is still its parent, and the run exists.

    Under fork and spawn the parent is the run itself; under forkserver it is the fork server,
    which lives as long as the run, so the run's own process is checked as well.
    """
    if os.getppid() != parent:
        return False
    if run_pid == parent:
        return True
    try:
        os.kill(run_pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:       # a process of that id exists (another user's): keep working
        return True
    return True


def _watch_parent(run_pid: int, parent: int) -> None:
    while _parent_alive(run_pid, parent):
        time.sleep(PARENT_POLL_SECONDS)
    os._exit(_EXIT_PARENT_GONE)


@contextlib.contextmanager
def sigint_held() -> Iterator[None]:
    """Hold back SIGINT in this thread while worker processes may be started.

    A forked worker inherits the blocked signal and ignores it in `start_worker` before
    unblocking, so a Ctrl-C in that moment reaches only the parent (when this block ends).
    """
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def stop_workers(pool: ProcessPoolExecutor) -> None:
    """End a pool now: drop the queued chunks and terminate the worker processes.

    For a run that stops early (Ctrl-C, an error): waiting for the chunks in flight would
    delay the exit by a chunk's work for results nobody reads.
    """
    processes = list((getattr(pool, "_processes", None) or {}).values())   # no public accessor
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        with contextlib.suppress(Exception):
            process.terminate()
    for process in processes:
        with contextlib.suppress(Exception):
            process.join(timeout=2)
