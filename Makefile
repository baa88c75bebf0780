# floatip: the two set-up commands are `make demo` and `make test` (as root on Debian).
SHELL := /bin/bash
APT_PACKAGES := iproute2 keepalived tcpdump iputils-ping arping ndisc6 procps psmisc unzip
NODE_STAMP := node_modules/.floatip-stamp

.PHONY: all deps build test test-unit test-lab demo clean bench

all: build

deps: $(NODE_STAMP)
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then echo "installing:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; fi

$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

build: deps
	npm run build --silent

test: build
	node --test --test-concurrency=2 $$(find dist/agent dist/operator -name '*.test.js' 2>/dev/null | sort)
	node --test --test-concurrency=1 $$(find dist/test -name '*.test.js' | sort)

test-unit: build
	node --test $$(find dist/agent dist/operator -name '*.test.js' 2>/dev/null | sort)

demo: build
	node dist/test/lab/demo.js

# Benchmarks against keepalived on the same lab (not part of `make test`).
BENCH_RUNS ?= 20
bench: build
	node dist/bench/failover.js --runs $(BENCH_RUNS) --out bench/results-failover.md

clean:
	rm -rf dist build
