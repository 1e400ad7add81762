# Two commands do everything: `make run` and `make test`.
# Both first install the system packages the build needs (scripts/setup-system.sh).

CARGO ?= cargo
export XDG_RUNTIME_DIR ?= /tmp/hetao-xdg-$(shell id -u)

.PHONY: run test setup bench lint db db-stop

setup:
	@bash scripts/setup-system.sh
	@mkdir -p $(XDG_RUNTIME_DIR) && chmod 700 $(XDG_RUNTIME_DIR)

# Builds and opens the desktop app on the embedded zone data.
run: setup
	$(CARGO) run --bin hetao

test: setup
	$(CARGO) test --all-targets --no-fail-fast

bench: setup
	$(CARGO) bench

lint: setup
	$(CARGO) fmt --check
	$(CARGO) clippy --all-targets -- -D warnings

# A throwaway PostgreSQL + PostGIS cluster on loopback for `hetao db` (scripts/pg-cluster.sh):
# prints its URL and the PGPASSFILE line; `make db-stop` removes it. (`make test` starts its own.)
DB_DIR ?= /tmp/hetao-pg-dev
db: setup
	@bash scripts/pg-cluster.sh start $(DB_DIR)
db-stop:
	@bash scripts/pg-cluster.sh stop $(DB_DIR)

# Fuzzing with leak detection (nightly + cargo-fuzz: `rustup toolchain install nightly`,
# `cargo install cargo-fuzz`). Each target runs FUZZ_SECONDS over a corpus seeded from the
# fixtures, the peers' test files and the hostile corpus (fuzz/seed.sh); a crash or a leak
# (LeakSanitizer, on by default under AddressSanitizer) fails the run. Results: fuzz/README.md.
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?= $(shell sed -n 's/^name = "\(.*\)"/\1/p' fuzz/Cargo.toml | grep -v '^hetao-atlas-fuzz$$')
.PHONY: fuzz asan
fuzz:
	sh fuzz/seed.sh
	set -e; for t in $(FUZZ_TARGETS); do \
	  dict=""; [ -f fuzz/dicts/$$t.dict ] && dict="-dict=fuzz/dicts/$$t.dict"; \
	  case $$t in load_slice|validate) dict="-dict=fuzz/dicts/geojson.dict";; esac; \
	  echo "== fuzz $$t for $(FUZZ_SECONDS) s"; \
	  if ! cargo +nightly fuzz run $$t fuzz/corpus/$$t -- -max_total_time=$(FUZZ_SECONDS) \
	    -detect_leaks=1 -rss_limit_mb=4096 -print_final_stats=1 $$dict > fuzz/last-$$t.log 2>&1; then \
	    tail -40 fuzz/last-$$t.log; echo "fuzz $$t FAILED (log: fuzz/last-$$t.log)"; exit 1; fi; \
	  grep -E 'stat::number_of_executed_units|Done [0-9]+ runs' fuzz/last-$$t.log; \
	done

# The core's tests under AddressSanitizer (with its leak check), with the flags the fuzz build
# uses; the headless core only (no GPU stack), as the fuzz targets build it.
ASAN_TESTS ?= --lib --test load --test check --test peers --test proj_context --test index --test measure --test reliability
asan:
	RUSTFLAGS="-Zsanitizer=address -Cdebug-assertions -Coverflow-checks" \
	ASAN_OPTIONS="detect_leaks=1:detect_stack_use_after_return=1" \
	cargo +nightly test --no-default-features --target x86_64-unknown-linux-gnu $(ASAN_TESTS)
