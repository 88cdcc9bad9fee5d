#!/usr/bin/env bash
# Runs fuzz targets for a time each from their kept corpora, and writes down what each run did.
#
#   fuzz/run.sh SECONDS TARGET...          each target for SECONDS (wall clock) from
#                                          fuzz/corpus/<target> and fuzz/seeds/<target>; what it
#                                          finds new goes into fuzz/corpus/<target>, and a line per
#                                          target into fuzz/runs.tsv
#   fuzz/run.sh --smoke SECONDS TARGET...  the same, but new inputs go to a temporary folder and
#                                          nothing is written down (make test)
#   fuzz/run.sh --cmin TARGET...           each corpus minimised: only inputs that add coverage
#                                          (libFuzzer's -merge=1, as `cargo fuzz cmin` does)
#   fuzz/run.sh --summary                  fuzz/runs.tsv summed per target, as docs/SECURITY.md
#                                          shows it
#
# A crash stops the run and leaves the input in fuzz/artifacts/<target>/ (the run is written
# down as a crash): add it to the seeds and the reader's tests, and fix the reader.
set -euo pipefail
cd "$(dirname "$0")"

runs=runs.tsv
if [ "${1:-}" = --summary ]; then
	# CPU time (user + system), executions, the last run's coverage, findings.
	awk -F'\t' 'NR > 1 {
		t = $3; if (!(t in cpu)) order[++n] = t
		cpu[t] += $5; execs[t] += $6; runs[t]++
		cov[t] = $8; ft[t] = $9; corpus[t] = $10
		if ($11 != "ok") found[t] = found[t] (found[t] ? "; " : "") $1 " " $11
	}
	END {
		print "| target | runs | CPU time | executions | coverage (cov / ft) | corpus | found |"
		print "|---|---|---|---|---|---|---|"
		for (i = 1; i <= n; i++) {
			t = order[i]
			printf "| `%s` | %d | %d min | %.0f | %d / %d | %d | %s |\n", t, runs[t], cpu[t] / 60,
				execs[t], cov[t], ft[t], corpus[t], (t in found) ? found[t] : "nothing"
		}
	}' "$runs"
	exit 0
fi

smoke=0
cmin=0
case "${1:-}" in
--smoke) smoke=1; shift ;;
--cmin) cmin=1; shift ;;
esac
usage() { echo "usage: fuzz/run.sh [--smoke] SECONDS TARGET... | --cmin TARGET... | --summary" >&2; exit 2; }
[ "$cmin" = 1 ] || { [ $# -gt 0 ] || usage; seconds=$1; shift; }
[ $# -gt 0 ] || usage

# cargo-fuzz asks rustc for sanitizer flags that stable accepts only with RUSTC_BOOTSTRAP=1.
RUSTC_BOOTSTRAP=1 cargo fuzz build --sanitizer address >/dev/null
bin=target/x86_64-unknown-linux-gnu/release

if [ "$cmin" = 1 ]; then
	for t in "$@"; do
		[ -d "corpus/$t" ] || continue
		merged=$(mktemp -d)
		before=$(find "corpus/$t" -type f | wc -l)
		"$bin/$t" -merge=1 "$merged" "corpus/$t" >"$merged.log" 2>&1 ||
			{ tail -20 "$merged.log" >&2; exit 1; }
		rm -rf "corpus/$t" && mv "$merged" "corpus/$t" && rm -f "$merged.log"
		echo "$t: $before inputs minimised to $(find "corpus/$t" -type f | wc -l) ($(du -sh "corpus/$t" | cut -f1))"
	done
	exit 0
fi

[ -f "$runs" ] || printf 'date\tcommit\ttarget\tseconds\tcpu_seconds\texecutions\tcov_start\tcov\tft\tcorpus\tresult\n' >"$runs"
# The commit the targets were built from; "+" when the readers' or the targets' code had changes
# not yet committed (a run during development).
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
[ -z "$(git status --porcelain -- ../crates ../fuzz/fuzz_targets ../fuzz/Cargo.toml 2>/dev/null)" ] || commit="$commit+"
for t in "$@"; do
	mkdir -p "corpus/$t" "artifacts/$t"
	log=$(mktemp)
	if [ "$smoke" = 1 ]; then
		new=$(mktemp -d)
		dirs=("$new" "corpus/$t" "seeds/$t")
	else
		dirs=("corpus/$t" "seeds/$t")
	fi
	echo "fuzzing $t for $seconds s"
	set +e
	/usr/bin/time -f '%U %S' -o "$log.time" "$bin/$t" -max_total_time="$seconds" -timeout=30 \
		-print_final_stats=1 -artifact_prefix="artifacts/$t/" "${dirs[@]}" >"$log" 2>&1
	rc=$?
	set -e
	[ "$smoke" = 1 ] && rm -rf "$new"
	# libFuzzer's status lines: "#N INITED cov: C ft: F corp: K/…" once the corpus is read, and
	# "#N DONE cov: C ft: F corp: K/…" at the end.
	field() { sed -n "s/^#[0-9]*[[:space:]]*$1 .*$2: \([0-9]*\).*/\1/p" "$log" | tail -1; }
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	cov_start=$(field INITED cov)
	cov=$(field DONE cov)
	ft=$(field DONE ft)
	corpus=$(sed -n 's/^#[0-9]*[[:space:]]*DONE .*corp: \([0-9]*\)\/.*/\1/p' "$log" | tail -1)
	cpu=$(awk 'END { printf "%.0f", $1 + $2 }' "$log.time")
	if [ "$rc" = 0 ]; then
		result=ok
		echo "  $execs executions, $cpu s of CPU, coverage $cov_start -> $cov (ft $ft), corpus $corpus"
	else
		artifact=$(sed -n 's/.*Test unit written to \(.*\)/\1/p' "$log" | tail -1)
		result="crash ${artifact:-(no input written)}"
		grep -E '^(==|SUMMARY|thread|panicked|Test unit)' "$log" | head -20 >&2 || tail -30 "$log" >&2
	fi
	[ "$smoke" = 1 ] || printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$(date -u +%F)" "$commit" \
		"$t" "$seconds" "$cpu" "${execs:-0}" "${cov_start:-0}" "${cov:-0}" "${ft:-0}" "${corpus:-0}" \
		"$result" >>"$runs"
	rm -f "$log" "$log.time"
	[ "$rc" = 0 ] || { echo "$t crashed: see fuzz/artifacts/$t/" >&2; exit 1; }
done
