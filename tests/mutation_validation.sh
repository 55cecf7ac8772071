#!/usr/bin/env bash
# Mutation testing of validation/ (and only validation/) with mutmut 3.
#
#   tests/mutation_validation.sh [WORKDIR] [SAMPLE] [SEED]
#
# The same run on other code (a session's change), by environment:
#   MUTATE="src/drg/grouper/explain.py src/drg/web/case.py"   files to mutate (installed layout)
#   PATTERN='describe_list|_sdx_line'                          only mutants whose name matches
#   TESTS="tests/test_titles_explain.py tests/test_web_api.py"  the tests that judge them
#
# mutmut names a mutant by its file's path (validation/billed/core.py -> validation.billed.core),
# but the package-dir mapping imports that file as drg.validation.billed.core, so mutmut cannot run
# in the repository itself. This script copies the tree into WORKDIR laid out as the installed
# package (src/drg, src/drg/tables, src/drg/grouper, src/drg/validation), mutates only
# src/drg/validation, lets mutmut generate every mutant, and runs a random SAMPLE of them (fixed
# SEED) against the validation, shift and report tests (-x, each mutant runs only the tests that
# reach the mutated function). It prints the mutmut results of the sample.
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
WORK=${1:-/tmp/drg-mutation}
SAMPLE=${2:-250}
SEED=${3:-10}
MUTATE=${MUTATE:-src/drg/validation/*}
PATTERN=${PATTERN:-.}
DEFAULT_TESTS="tests/test_validation.py tests/test_validation_cases.py tests/test_validation_tally.py
  tests/test_validation_statuses.py tests/test_validation_rules.py tests/test_validation_drivers_pruning.py
  tests/test_validation_frames.py tests/test_validation_edges.py tests/test_shift.py tests/test_shift_cases.py
  tests/test_shift_frames.py tests/test_report_charts.py tests/test_report_snapshots.py"
TESTS=${TESTS:-$DEFAULT_TESTS}
toml_list() { local - out="" item; set -f; for item in $1; do out+="\"$item\", "; done; echo "[${out%, }]"; }
PY=${PYTHON:-$REPO/.venv/bin/python}

rm -rf "$WORK"
mkdir -p "$WORK/src"
cp -r "$REPO/drg" "$WORK/src/drg"
cp -r "$REPO/tables" "$WORK/src/drg/tables"
cp -r "$REPO/grouper" "$WORK/src/drg/grouper"
cp -r "$REPO/validation" "$WORK/src/drg/validation"
cp -r "$REPO/tests" "$REPO/docs" "$REPO/examples" "$REPO/validation" "$REPO/README.md" "$WORK/"
find "$WORK" -name __pycache__ -prune -exec rm -rf {} +
cat > "$WORK/pyproject.toml" <<TOML
[tool.pytest.ini_options]
testpaths = ["tests"]

[tool.mutmut]
source_paths = ["src"]
only_mutate = $(toml_list "$MUTATE")
also_copy = ["docs", "examples", "validation", "README.md"]
pytest_add_cli_args = ["-x", "-q", "-p", "no:cacheprovider"]
pytest_add_cli_args_test_selection = $(toml_list "$TESTS")
TOML
cd "$WORK"
# generate every mutant (running one), then list them and run a random sample
"$PY" -m mutmut run "drg.nothing.x_nothing__mutmut_1" > generate.log 2>&1 || true
"$PY" -m mutmut results --all true 2>/dev/null | sed -n 's/^ *\(drg\.[^:]*\):.*/\1/p' | grep -E -- "$PATTERN" \
    | sort > all_mutants.txt
"$PY" - "$SAMPLE" "$SEED" <<'PYTHON' > sample.txt
import random, sys
names = open("all_mutants.txt").read().split()
random.Random(int(sys.argv[2])).shuffle(names)
print("\n".join(sorted(names[: int(sys.argv[1])])))
PYTHON
echo "mutants: $(wc -l < all_mutants.txt) generated, $(wc -l < sample.txt) sampled"
"$PY" -m mutmut run $(cat sample.txt) > run.log 2>&1 || true
"$PY" -m mutmut results --all true 2>/dev/null > results.txt || true
"$PY" - <<'PYTHON'
import collections
sample = set(open("sample.txt").read().split())
status = {}
for line in open("results.txt"):
    name, _, state = line.strip().partition(": ")
    if name in sample:
        status[name] = state
counts = collections.Counter(status.values())
killed = counts.get("killed", 0)
print(dict(counts))
print(f"killed {killed} of {len(status)} sampled mutants: {killed / max(1, len(status)):.1%}")
with open("survivors.txt", "w") as out:
    for name, state in sorted(status.items()):
        if state != "killed":
            out.write(f"{name}: {state}\n")
PYTHON
