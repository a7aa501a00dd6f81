# Talkdeck: `make run` serves the product (release build, SQLite, simulator) on 127.0.0.1:3000,
# building it first only when the sources are newer than the build (scripts/run.sh);
# `make test` runs `make lint` (rustfmt check, clippy with -D warnings for the ssr and hydrate
# builds), unit + integration tests (SQLite, and PostgreSQL when 127.0.0.1:5432 answers) and the
# Playwright suite in Chromium. Both install what they need first (scripts/setup.sh).

SHELL := /bin/bash
PG_URL ?= postgres://postgres@127.0.0.1:5432/test
E2E_PORT ?= 3100

.PHONY: run test setup setup-run lint unit schemathesis e2e clean

setup-run:
	@scripts/setup.sh build

setup:
	@scripts/setup.sh test

run: setup-run
	@scripts/run.sh

test: setup lint unit schemathesis e2e

# Formatting (rustfmt.toml) and clippy, warnings as errors, on the check profile. The server
# build (ssr, the default feature) is linted with all its targets: lib, bin and tests. The WASM
# build (hydrate) is linted for its lib and bin only: the tests are server tests, and their
# dev-dependencies (tokio's multi-threaded runtime) do not build for wasm32.
lint:
	cargo fmt --check
	cargo clippy --locked --all-targets -- -D warnings
	cargo clippy --locked --lib --bins --no-default-features --features hydrate --target wasm32-unknown-unknown -- -D warnings

# Unit and integration tests on SQLite; the same integration tests also run on PostgreSQL when
# it is reachable (the harness reads TEST_DATABASE_URL).
unit:
	@if (exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null; then \
		echo "PostgreSQL reachable: integration tests run on SQLite and PostgreSQL"; \
		scripts/pg-clean.sh "$(PG_URL)"; \
		TEST_DATABASE_URL="$(PG_URL)" cargo test --locked; \
	else \
		echo "PostgreSQL not reachable on 127.0.0.1:5432: integration tests run on SQLite only"; \
		cargo test --locked; \
	fi

# Property-based tests of /api/v1 against the running debug server (built by `unit`), on SQLite
# and on PostgreSQL when it is reachable; fails on any finding.
schemathesis:
	@SCHEMATHESIS_PREBUILT=1 scripts/schemathesis.sh

# The release build users run, driven by Playwright in Debian's Chromium.
e2e:
	cargo leptos build --release --cargo-locked
	@scripts/e2e.sh $(E2E_PORT)

clean:
	cargo clean
