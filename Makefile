# Two commands do everything: `make run` and `make test`.
# Both first install the system packages the build needs (scripts/setup-system.sh).

CARGO ?= cargo
export XDG_RUNTIME_DIR ?= /tmp/hetao-xdg-$(shell id -u)

.PHONY: run test setup bench lint

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
