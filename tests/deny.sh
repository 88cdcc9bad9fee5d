#!/usr/bin/env bash
# `cargo deny check` against a snapshot of the RustSec advisory database, offline: the snapshot
# (a plain folder, ADVISORY_DB, ../shared/advisory-db by default) is copied into a throwaway git
# repository where cargo-deny looks for it, dated as the snapshot is. Prints the snapshot's commit
# and date, and fails when it is more than 180 days old. Arguments go to `cargo deny check`;
# DENY_MANIFEST=path/Cargo.toml checks another workspace (the fuzz targets') with the same deny.toml.
set -euo pipefail
src=${ADVISORY_DB:-../shared/advisory-db}
readme=$src/README.md
[ -f "$readme" ] || { echo "no advisory database at $src (its README.md is missing)" >&2; exit 1; }
commit=$(sed -n 's/^- commit: //p' "$readme")
date=$(sed -n 's/^- date of that commit: //p' "$readme")
[ -n "$commit" ] && [ -n "$date" ] || { echo "$readme names no commit and date" >&2; exit 1; }
age=$(( ($(date -u +%s) - $(date -u -d "$date" +%s)) / 86400 ))
echo "RustSec advisory database: snapshot of commit $commit, $date, $age days old"
if [ "$age" -gt 180 ]; then
  echo "the advisory database is $age days old, more than 180: refresh the snapshot" >&2
  exit 1
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# The folder name cargo-deny derives from the default database's URL.
db=$tmp/advisory-db-3157b0e258782691
cp -r "$src" "$db"
chmod -R u+w "$db"
git -C "$db" init -q
git -C "$db" add -A
GIT_AUTHOR_DATE="${date}T00:00:00Z" GIT_COMMITTER_DATE="${date}T00:00:00Z" \
  git -C "$db" -c user.name=advisory-db -c user.email=advisory-db@localhost \
  -c commit.gpgsign=false commit -q -m "advisory-db $commit"
# cargo-deny dates the database by the later of its HEAD commit and the file .git/HEAD.
touch -d "$date" "$db/.git/HEAD"
DENY_ADVISORY_DBS=$tmp cargo deny --offline --locked ${DENY_MANIFEST:+--manifest-path "$DENY_MANIFEST"} \
  check "$@"
