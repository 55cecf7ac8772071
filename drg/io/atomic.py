"""Atomic output: every file drg writes appears whole under its final name, or not at all.

An `AtomicFile` is created at once under a unique temporary name beside its target
(".NAME.<pid>-<random>.partial"), so an unwritable path fails before any work is done, two runs
writing the same path never share a file (the last rename wins, whole), and a run that fails,
is interrupted or receives SIGTERM removes its temporary file. A run killed with SIGKILL leaves
at most its own temporary file, never a half file under the final name.
"""
from __future__ import annotations

import os
import secrets
import signal
import threading
from pathlib import Path
from types import FrameType
from typing import BinaryIO, Iterable

_LIVE: dict[Path, int] = {}          # temporary file -> the pid that owns it
_lock = threading.Lock()


class OutputPathError(ValueError):
    """An output path that cannot be written (no such folder, a directory, the input itself...)."""


def check_output_path(target: "str | Path", inputs: Iterable["str | Path | None"] = ()) -> Path:
    """`target` as a Path, after the checks that need no writing: its folder exists, it is not a
    folder itself, and it is not one of the `inputs` (which writing would replace)."""
    path = Path(target)
    if path.is_dir():
        raise OutputPathError(f"{path} is a folder; give a file name")
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise OutputPathError(f"{path}: the folder {folder} does not exist")
    for source in inputs:
        if source is not None and str(source) != "-" and _same_file(path, Path(source)):
            raise OutputPathError(f"{path} is also an input; writing it would replace the input. "
                                  "Give another output name")
    return path


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.exists() and b.exists() and os.path.samefile(a, b)
    except OSError:
        return False


class AtomicFile:
    """A file written beside `target` and renamed onto it by `commit()`.

        with AtomicFile("out.csv") as out:      # created now: fails at once if it cannot be
            out.stream.write(b"...")
        # renamed to out.csv when the block ends without an error; removed otherwise
    """

    def __init__(self, target: "str | Path", inputs: Iterable["str | Path | None"] = ()) -> None:
        self.target = check_output_path(target, inputs)
        token = f"{os.getpid()}-{secrets.token_hex(4)}"
        self.temporary = self.target.with_name(f".{self.target.name}.{token}.partial")
        try:
            self.stream: BinaryIO = open(self.temporary, "xb")
        except OSError as exc:
            raise OutputPathError(f"cannot write {self.target}: {exc.strerror or exc}") from None
        with _lock:
            _LIVE[self.temporary] = os.getpid()
        self.done = False

    def commit(self) -> Path:
        """Close the temporary file and rename it onto the target."""
        if not self.done:
            self.stream.close()
            os.replace(self.temporary, self.target)
            self._forget()
        return self.target

    def discard(self) -> None:
        """Close and remove the temporary file; the target is left as it was."""
        if not self.done:
            try:
                self.stream.close()
            except OSError:
                pass
            self.temporary.unlink(missing_ok=True)
            self._forget()

    abandon = discard        # the name every drg output (result writers, OutputTarget) uses

    def _forget(self) -> None:
        self.done = True
        with _lock:
            _LIVE.pop(self.temporary, None)

    def __enter__(self) -> "AtomicFile":
        return self

    def __exit__(self, kind: object, *rest: object) -> None:
        if kind is None:
            self.commit()
        else:
            self.discard()


def abandon_all(outputs: Iterable[object]) -> None:
    """Abandon every output of a failed run (anything with an `abandon()`: AtomicFile, writers)."""
    for output in outputs:
        output.abandon()  # type: ignore[attr-defined]


def remove_temporary_files() -> None:
    """Remove the temporary files this process owns (forked workers never remove their parent's)."""
    me = os.getpid()
    with _lock:
        mine = [path for path, owner in _LIVE.items() if owner == me]
    for path in mine:
        try:
            path.unlink(missing_ok=True)
        except OSError:
            pass


def _on_sigterm(signum: int, frame: FrameType | None) -> None:
    remove_temporary_files()
    raise SystemExit(128 + signum)


def exit_cleanly_on_sigterm() -> None:
    """Make SIGTERM end the run like an error (temporary files removed, exit status 143).
    Only from the main thread; a command-line entry point calls it once."""
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _on_sigterm)


def os_error_message(exc: OSError, output: "str | Path") -> str:
    """Plain words for an OSError met while a run writes `output` (a full disk, a lost folder...)."""
    reason = exc.strerror or type(exc).__name__
    if exc.filename and not str(exc.filename).endswith(".partial"):
        return f"{exc.filename}: {reason}"
    return f"cannot write {output}: {reason}"
