#!/usr/bin/env bash
# The dependency check can fail: tests/deny.sh against copies of the advisory database with an
# advisory added for a crate this workspace uses (hex) and for one only the fuzz targets' workspace
# uses (libfuzzer-sys), and with a snapshot too old; and, as the control, against the copy as it is.
set -uo pipefail
src=${ADVISORY_DB:-../shared/advisory-db}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0
ok() { echo "ok: $1"; passed=$((passed + 1)); }
bad() { echo "FAILED: $1" >&2; failed=$((failed + 1)); }

# 1. An advisory that applies to a crate we use: the check fails and names it.
cp -r "$src" "$tmp/added" && chmod -R u+w "$tmp/added"
mkdir -p "$tmp/added/crates/hex"
cat > "$tmp/added/crates/hex/RUSTSEC-2099-0001.md" <<'ADVISORY'
```toml
[advisory]
id = "RUSTSEC-2099-0001"
package = "hex"
date = "2026-01-01"
url = "https://example.invalid/RUSTSEC-2099-0001"

[versions]
patched = [">= 99.0.0"]
```

# A vulnerability in hex, for the dependency check's own test

Every version below 99 is affected.
ADVISORY
out=$(ADVISORY_DB="$tmp/added" tests/deny.sh advisories 2>&1)
status=$?
if [ $status -ne 0 ] && grep -q RUSTSEC-2099-0001 <<<"$out"; then
  ok "an advisory for hex fails the check and is named"
else
  bad "an advisory for hex: exit $status, output: $out"
fi

# 1b. The same for a crate only the fuzz targets' workspace uses (libfuzzer-sys), in a copy without
# the advisory for hex (which that workspace uses too): its check fails on that one alone.
cp -r "$src" "$tmp/fuzz" && chmod -R u+w "$tmp/fuzz"
mkdir -p "$tmp/fuzz/crates/libfuzzer-sys"
sed 's/RUSTSEC-2099-0001/RUSTSEC-2099-0002/; s/^package = "hex"/package = "libfuzzer-sys"/; s/in hex/in libfuzzer-sys/' \
  "$tmp/added/crates/hex/RUSTSEC-2099-0001.md" > "$tmp/fuzz/crates/libfuzzer-sys/RUSTSEC-2099-0002.md"
out=$(ADVISORY_DB="$tmp/fuzz" DENY_MANIFEST=fuzz/Cargo.toml tests/deny.sh advisories 2>&1)
status=$?
if [ $status -ne 0 ] && grep -q RUSTSEC-2099-0002 <<<"$out"; then
  ok "an advisory for libfuzzer-sys fails the fuzz targets' check and is named"
else
  bad "an advisory for libfuzzer-sys: exit $status, output: $out"
fi

# 2. A snapshot older than 180 days: refused before anything is checked.
cp -r "$src" "$tmp/old" && chmod -R u+w "$tmp/old"
old=$(date -u -d '200 days ago' +%Y-%m-%d)
sed -i "s/^- date of that commit: .*/- date of that commit: $old/" "$tmp/old/README.md"
out=$(ADVISORY_DB="$tmp/old" tests/deny.sh advisories 2>&1)
status=$?
if [ $status -ne 0 ] && grep -q "more than 180" <<<"$out"; then
  ok "a snapshot 200 days old is refused"
else
  bad "a snapshot 200 days old: exit $status, output: $out"
fi

# 3. The control: the snapshot as it is passes, for both workspaces.
out=$(ADVISORY_DB="$src" tests/deny.sh advisories 2>&1)
status=$?
if [ $status -eq 0 ]; then
  ok "the snapshot as it is passes"
else
  bad "the snapshot as it is: exit $status, output: $out"
fi
out=$(ADVISORY_DB="$src" DENY_MANIFEST=fuzz/Cargo.toml tests/deny.sh advisories 2>&1)
status=$?
if [ $status -eq 0 ]; then
  ok "the snapshot as it is passes for the fuzz targets' workspace"
else
  bad "the fuzz targets' workspace against the snapshot as it is: exit $status, output: $out"
fi

echo "dependency check's own test: $passed passed, $failed failed"
[ $failed -eq 0 ]
