#!/usr/bin/env bash
# `make fuzz`: at least a million generated inputs across the three parsers
# (fuzz/README.md). Uses Jazzer.js when @jazzer.js/core is installed and its
# native addon loads; otherwise (as on Debian 12: the addon needs glibc 2.38)
# the fast-check driver fuzz/run.js feeds the same targets instead, followed by
# the coverage-guided stage fuzz/coverage.js (V8 block coverage, no native code).
#
# Knobs: FUZZ_TARGET_RUNS (inputs per target, default 350000),
#        FUZZ_COVERAGE_RUNS / FUZZ_COVERAGE_SECONDS (coverage-guided stage, per
#        target: at most 20000 inputs and 60 s by default), FUZZ_SAVE_CORPUS=1
#        (keep its grown corpus in fuzz/corpus/<target>/),
#        FUZZ_PROPERTY_RUNS (runs per property, default 20000),
#        FUZZ_SEED (default: random, printed), FUZZ_HANG_SECONDS (default 30).
set -uo pipefail
cd "$(dirname "$0")/.."

TARGET_RUNS=${FUZZ_TARGET_RUNS:-350000}
PROPERTY_RUNS=${FUZZ_PROPERTY_RUNS:-20000}
export FUZZ_SEED=${FUZZ_SEED:-random}
TARGETS=(decode-advert keepalived-config yaml-config)
status=0

if jazzer_problem=$(node -e 'require("@jazzer.js/core"); require("@jazzer.js/fuzzer")' 2>&1); then
  # Not exercised in this repository's environment (see fuzz/README.md).
  echo "fuzz: Jazzer.js, ${TARGET_RUNS} runs per target"
  mkdir -p fuzz/findings
  for t in "${TARGETS[@]}"; do
    mkdir -p "fuzz/corpus/$t"
    npx --no-install jazzer "dist/fuzz/targets/$t.js" "fuzz/corpus/$t" --sync -i dist/agent -- \
      "-runs=${TARGET_RUNS}" -timeout=30 "-artifact_prefix=fuzz/findings/new-$t-" || status=1
  done
else
  echo "fuzz: Jazzer.js not usable here ($(printf '%s' "$jazzer_problem" | grep -m1 -E 'Error|Cannot find' || echo unknown)); using the fast-check driver"
  node dist/fuzz/run.js --runs "$TARGET_RUNS" --hang-seconds "${FUZZ_HANG_SECONDS:-30}" || status=1
  echo "fuzz: coverage-guided stage (V8 block coverage through node:inspector)"
  node dist/fuzz/coverage.js --runs "${FUZZ_COVERAGE_RUNS:-20000}" --seconds "${FUZZ_COVERAGE_SECONDS:-60}" \
    ${FUZZ_SAVE_CORPUS:+--save-corpus} || status=1
fi

echo "fuzz: properties with FUZZ_RUNS=${PROPERTY_RUNS}"
FUZZ_RUNS=$PROPERTY_RUNS node --test --test-reporter=spec dist/fuzz/properties.test.js || status=1
exit $status
