"""The one I/O edge: the format registry, gzip that is gzip (and deterministic), output paths checked
before any work, atomic outputs under kills, SIGTERM, concurrent runs and a full disk."""
from __future__ import annotations

import gzip
import json
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from drg.cli import main
from drg.io import read_results
from drg.io.atomic import AtomicFile, OutputPathError
from drg.io.formats import FileFormat, UnknownFormatError, file_kind

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE_JSONL = ROOT / "examples" / "claims.jsonl"
EXAMPLE_WIDE = ROOT / "examples" / "claims_wide.csv"
FIXTURE = ROOT / "tests" / "fixtures" / "conformance_claims.jsonl.gz"


def drg(*args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "drg.cli", *args], capture_output=True, text=True, **kwargs)


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".partial"))


# ------------------------------------------------------------------ the registry

@pytest.mark.parametrize("name, fmt, gz, delimiter", [
    ("a.jsonl", "jsonl", False, ","), ("a.NDJSON.gz", "jsonl", True, ","), ("a.csv.gz", "csv", True, ","),
    ("a.tsv", "csv", False, "\t"), ("a.tsv.gz", "csv", True, "\t"), ("a.pq", "parquet", False, ","),
    ("a.txt", "csv", False, ",")])
def test_one_registry_tells_format_gzip_and_delimiter(name, fmt, gz, delimiter):
    kind = file_kind(name)
    assert (kind.format, kind.gzip, kind.delimiter) == (FileFormat(fmt), gz, delimiter)


@pytest.mark.parametrize("name", ["a.foo", "a", "a.parquet.gz", "a.gz"])
def test_names_that_say_nothing_are_refused(name):
    with pytest.raises(UnknownFormatError):
        file_kind(name)


def test_an_explicit_format_wins_over_the_name():
    assert file_kind("claims.dat", "csv").format is FileFormat.CSV
    assert file_kind("claims.dat", "tsv").delimiter == "\t"
    with pytest.raises(UnknownFormatError):
        file_kind("claims.csv", "xml")


# ------------------------------------------------------------------ gzip that is gzip

@pytest.mark.parametrize("name", ["r.jsonl.gz", "r.csv.gz", "r.tsv.gz"])
def test_group_writes_real_deterministic_gzip_that_drg_reads_back(tmp_path, name):
    plain = tmp_path / name.removesuffix(".gz")
    first, second = tmp_path / name, tmp_path / ("again-" + name)
    runner = CliRunner()
    for out in (plain, first, second):
        result = runner.invoke(main, ["group", str(EXAMPLE_JSONL), "-o", str(out), "--quiet"])
        assert result.exit_code == 0, result.output
    assert gzip.decompress(first.read_bytes()) == plain.read_bytes()       # really gzip, same content
    assert first.read_bytes() == second.read_bytes()                       # no time stamp, no name
    assert list(read_results(first)) == list(read_results(plain))


def test_shift_accepts_tsv_and_writes_deterministic_gzip(tmp_path):
    runner = CliRunner()
    outs = [tmp_path / "a.csv.gz", tmp_path / "b.csv.gz", tmp_path / "s.tsv"]
    for out in outs:
        result = runner.invoke(main, ["shift", str(EXAMPLE_JSONL), "--from", "43.1", "--to", "44.0", "-o", str(out)])
        assert result.exit_code == 0, result.output
    assert outs[0].read_bytes() == outs[1].read_bytes()
    tsv = outs[2].read_text().splitlines()
    assert tsv[0].split("\t")[0] == gzip.decompress(outs[0].read_bytes()).decode().split(",")[0]
    assert len(tsv) == sum(1 for line in EXAMPLE_JSONL.read_text().splitlines() if line.strip()) + 1


# ------------------------------------------------------------------ paths checked before any work

BAD_OUTPUTS = ["/nonexistent-folder/x.jsonl", "x.foo", "/proc/x.csv"]


@pytest.mark.parametrize("output", BAD_OUTPUTS)
@pytest.mark.parametrize("command", ["group", "shift"])
def test_bad_output_paths_fail_before_any_claim_is_grouped(tmp_path, monkeypatch, command, output):
    import drg.grouper.engine as engine

    def no_grouping(*args, **kwargs):
        raise AssertionError("a claim was grouped before the output path was checked")
    monkeypatch.setattr(engine, "group_claim", no_grouping)
    monkeypatch.setattr("drg.batch.group_claim", no_grouping)
    monkeypatch.chdir(tmp_path)
    args = ["group", str(EXAMPLE_JSONL), "-o", output, "--quiet"] if command == "group" else \
        ["shift", str(EXAMPLE_JSONL), "--from", "43.1", "--to", "44.0", "-o", output]
    result = CliRunner().invoke(main, args)
    assert result.exit_code != 0
    assert "Traceback" not in result.output and not isinstance(result.exception, AssertionError)
    assert output.split("/")[-1] in result.output or "format" in result.output
    assert leftovers(tmp_path) == []


def test_shift_report_path_is_checked_before_the_work(tmp_path, monkeypatch):
    monkeypatch.setattr("drg.validation.version_shift.analysis.group_claim",
                        lambda *a, **k: (_ for _ in ()).throw(AssertionError("grouped")))
    result = CliRunner().invoke(main, ["shift", str(EXAMPLE_JSONL), "--from", "43.1", "--to", "44.0",
                                       "-o", str(tmp_path / "s.csv"), "--report", "/nonexistent-folder/r.html"])
    assert result.exit_code == 1 and "does not exist" in result.output
    assert not (tmp_path / "s.csv").exists() and leftovers(tmp_path) == []


def test_output_equal_to_the_input_is_refused_and_the_input_kept(tmp_path):
    claims = tmp_path / "claims.jsonl"
    claims.write_bytes(EXAMPLE_JSONL.read_bytes())
    result = CliRunner().invoke(main, ["group", str(claims), "-o", str(claims), "--quiet"])
    assert result.exit_code == 1 and "also an input" in result.output
    assert claims.read_bytes() == EXAMPLE_JSONL.read_bytes()


def test_atomic_file_appears_whole_or_not_at_all(tmp_path):
    target = tmp_path / "out.txt"
    with pytest.raises(RuntimeError):
        with AtomicFile(target) as out:
            out.stream.write(b"half")
            raise RuntimeError("stop")
    assert not target.exists() and leftovers(tmp_path) == []
    with AtomicFile(target) as out:
        out.stream.write(b"whole")
    assert target.read_bytes() == b"whole" and leftovers(tmp_path) == []
    with pytest.raises(OutputPathError):
        AtomicFile(tmp_path)                         # a folder


# ------------------------------------------------------------------ kills, SIGTERM, concurrent runs, full disk

@pytest.fixture(scope="module")
def big_input(tmp_path_factory) -> Path:
    """The conformance fixture twice over (about 8,700 claims: a few seconds of work)."""
    path = tmp_path_factory.mktemp("big") / "big.jsonl"
    lines = gzip.decompress(FIXTURE.read_bytes()).decode().splitlines()
    path.write_text("\n".join(lines * 2) + "\n")
    return path


def _wait_for_partial(folder: Path, process: subprocess.Popen, timeout: float = 30.0) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end and process.poll() is None:
        partial = [p for p in folder.iterdir() if p.name.endswith(".partial")]
        if partial and partial[0].stat().st_size > 0:
            return
        time.sleep(0.05)
    raise AssertionError("the run never started writing")


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
def test_a_killed_run_leaves_no_file_under_the_final_name(tmp_path, big_input, sig):
    out = tmp_path / "out" / "results.jsonl"
    out.parent.mkdir()
    process = subprocess.Popen([sys.executable, "-m", "drg.cli", "group", str(big_input), "-o", str(out),
                                "--quiet", "--chunk-size", "500"], stderr=subprocess.PIPE, text=True)
    _wait_for_partial(out.parent, process)
    process.send_signal(sig)
    _, stderr = process.communicate(timeout=30)
    assert not out.exists()
    if sig == signal.SIGTERM:
        assert process.returncode != 0 and "Traceback" not in stderr
        assert leftovers(out.parent) == []           # SIGTERM cleans up its temporary file


def test_two_runs_on_one_output_never_mix(tmp_path):
    first, other = tmp_path / "first.jsonl", tmp_path / "other.jsonl"
    lines = gzip.decompress(FIXTURE.read_bytes()).decode().splitlines()[:2000]
    first.write_text("\n".join(lines) + "\n")
    other.write_text("\n".join(reversed(lines)) + "\n")
    big_input = first
    out = tmp_path / "shared.jsonl"
    runs = [subprocess.Popen([sys.executable, "-m", "drg.cli", "group", str(source), "-o", str(out), "--quiet"])
            for source in (big_input, other)]
    assert [run.wait(timeout=120) for run in runs] == [0, 0]
    alone = {}
    for source in (big_input, other):
        single = tmp_path / f"alone-{source.stem}.jsonl"
        assert drg("group", str(source), "-o", str(single), "--quiet").returncode == 0
        alone[source] = single.read_bytes()
    assert out.read_bytes() in (alone[big_input], alone[other])
    assert leftovers(tmp_path) == []


def _limit_file_size() -> None:
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (20_000, 20_000))


@pytest.mark.skipif(sys.platform != "linux", reason="RLIMIT_FSIZE full-disk simulation is Linux-only")
@pytest.mark.parametrize("command", ["group", "shift"])
def test_a_full_disk_is_a_clean_error_and_leaves_nothing(tmp_path, command):
    out = tmp_path / "out.jsonl"
    args = ["group", str(FIXTURE), "-o", str(out), "--quiet", "--chunk-size", "200"] if command == "group" else \
        ["shift", str(FIXTURE), "--from", "43.1", "--to", "44.0", "-o", str(out)]
    result = subprocess.run([sys.executable, "-m", "drg.cli", *args], capture_output=True, text=True,
                            preexec_fn=_limit_file_size, timeout=120)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr and "cannot write" in result.stderr
    assert not out.exists() and leftovers(tmp_path) == []


# ------------------------------------------------------------------ drg validate: the same edge, streamed

@pytest.mark.parametrize("name", ["v.csv.gz", "v.jsonl.gz", "v.tsv.gz"])
def test_validate_writes_real_deterministic_gzip(tmp_path, name):
    outs = [tmp_path / name, tmp_path / ("again-" + name), tmp_path / name.removesuffix(".gz")]
    for out in outs:
        result = CliRunner().invoke(main, ["validate", str(EXAMPLE_WIDE), "-o", str(out)])
        assert result.exit_code == 0, result.output
    assert outs[0].read_bytes() == outs[1].read_bytes()
    assert gzip.decompress(outs[0].read_bytes()) == outs[2].read_bytes()


@pytest.mark.parametrize("name", ["v.pq", "v.parquet", "v.txt", "v.tsv"])
def test_validate_accepts_every_registry_name(tmp_path, name):
    out = tmp_path / name
    result = CliRunner().invoke(main, ["validate", str(EXAMPLE_WIDE), "-o", str(out)])
    assert result.exit_code == 0, result.output
    rows = sum(1 for line in EXAMPLE_WIDE.read_text().splitlines()[1:] if line.strip())
    if file_kind(name).format is FileFormat.PARQUET:
        import pyarrow.parquet as pq
        assert pq.read_table(out).num_rows == rows
    else:
        assert len(out.read_text().splitlines()) == rows + 1


@pytest.mark.parametrize("args", [["-o", "/nonexistent-folder/x.jsonl"], ["-o", "x.foo"], ["-o", "/proc/x.csv"],
                                  ["--report", "x.txt"], ["--report", "/nonexistent-folder/r.html"],
                                  ["-o", "ok.csv", "--report", "r.pdf"]])
def test_validate_checks_output_and_report_paths_before_any_work(tmp_path, monkeypatch, args):
    def no_validation(*a, **k):
        raise AssertionError("a claim was validated before the paths were checked")
    monkeypatch.setattr("drg.validation.billed.core.validate_claim", no_validation)
    monkeypatch.setattr("drg.validating.validate_items", no_validation)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["validate", str(EXAMPLE_WIDE), *args])
    assert result.exit_code == 1, result.output
    assert not isinstance(result.exception, AssertionError) and "Traceback" not in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == []        # nothing created, nothing left


def test_validate_output_does_not_depend_on_the_chunk_size(tmp_path, monkeypatch):
    claims = tmp_path / "claims.jsonl"
    lines = gzip.decompress(FIXTURE.read_bytes()).decode().splitlines()[:60]
    billed = [dict(json.loads(line), billed_drg=[291, 193, "29I", None][n % 4]) for n, line in enumerate(lines)]
    claims.write_text("".join(json.dumps(c) + "\n" for c in billed))
    outputs = {}
    for size in (10_000, 7):
        monkeypatch.setattr("drg.commands.validate.CHUNK_SIZE", size)
        for name in ("v.csv", "v.jsonl", "r.md"):
            out = tmp_path / f"{size}-{name}"
            option = "--report" if name.endswith(".md") else "-o"
            result = CliRunner().invoke(main, ["validate", str(claims), option, str(out), "--no-drivers"])
            assert result.exit_code == 0, result.output
            outputs[size, name] = out.read_bytes()
    for name in ("v.csv", "v.jsonl"):
        assert outputs[10_000, name] == outputs[7, name]
    assert outputs[10_000, "r.md"] == outputs[7, "r.md"]


def test_a_killed_validate_leaves_no_file_under_the_final_name(tmp_path, big_input):
    out = tmp_path / "out" / "validated.csv"
    out.parent.mkdir()
    process = subprocess.Popen([sys.executable, "-m", "drg.cli", "validate", str(big_input), "-o", str(out)],
                               stderr=subprocess.PIPE, text=True)
    _wait_for_partial(out.parent, process, timeout=60)
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=30)
    assert process.returncode != 0 and "Traceback" not in stderr
    assert not out.exists() and leftovers(out.parent) == []


def test_group_takes_tsv_as_an_explicit_format_both_ways(tmp_path):
    tab_separated = tmp_path / "claims.dat"
    tab_separated.write_text(EXAMPLE_WIDE.read_text().replace(",", "\t"))
    out = tmp_path / "results.out"
    runner = CliRunner()
    result = runner.invoke(main, ["group", str(tab_separated), "--input-format", "tsv", "-o", str(out),
                                  "--output-format", "tsv", "--quiet"])
    assert result.exit_code == 0, result.output
    lines = out.read_text().splitlines()
    assert len(lines) == len(EXAMPLE_WIDE.read_text().splitlines())          # header + one row per claim
    assert lines[0].split("\t")[:3] == ["id", "version", "status"]
    refused = runner.invoke(main, ["group", str(EXAMPLE_WIDE), "-o", str(out), "--output-format", "x12"])
    assert refused.exit_code == 2                                            # X12 is read only
