# The README's two commands: `make run` and `make test`. Both install what is missing first.
SWIFT ?= swift
PY := .venv/bin/python

.PHONY: run test bench fuzz sanitize bootstrap bootstrap-python build screenshots

bootstrap:
	@scripts/bootstrap.sh

bootstrap-python:
	@scripts/bootstrap.sh --python

build: bootstrap
	$(SWIFT) build

run: bootstrap
	$(SWIFT) build -c release --product peerscope
	.build/release/peerscope $(if $(ARGS),$(ARGS),--demo)

# Every test: unit tests, real-socket tests and the py-libp2p interop tests (which must not skip here).
# Serial: several suites time real protocol deadlines, and on 2 cores parallel CPU-heavy suites
# (debug-build RSA, 100 × 1 MiB echoes, py peers) starve them for seconds.
test: bootstrap-python
	$(SWIFT) build --build-tests
	PEERSCOPE_PYTHON=$(CURDIR)/$(PY) PEERSCOPE_REQUIRE_INTEROP=1 $(SWIFT) test --skip-build --no-parallel

# Every fuzz target under libFuzzer + ASan for FUZZ_SECONDS (default 60) each, from Tests/Fuzz/corpus;
# new coverage is merged into the corpus, results go to Tests/Fuzz/LAST_RUN.md.
fuzz: bootstrap
	scripts/fuzz.sh $(ARGS)

# Unit, socket and hostile-peer tests under the thread sanitizer, then the address sanitizer
# (ARGS=thread or ARGS=address for one).
sanitize: bootstrap-python
	scripts/sanitize.sh $(ARGS)

# Release build of peerscope-bench; prints the table and rewrites the generated part of BENCHMARKS.md.
bench: bootstrap-python
	PEERSCOPE_PYTHON=$(CURDIR)/$(PY) scripts/bench.sh $(ARGS)

# PNGs of the real UI (demo mode) in screenshots/, from tmux captures.
screenshots: bootstrap-python
	$(SWIFT) build --product peerscope
	PEERSCOPE_PYTHON=$(CURDIR)/$(PY) scripts/screenshots.sh
