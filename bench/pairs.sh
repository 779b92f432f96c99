#!/usr/bin/env bash
# Back-to-back pairs of a benchmark, and the medians of what they measured (see bench/README.md).
#
#   bench/pairs.sh [PAIRS]                              PAIRS runs of the bench in this checkout
#   BEFORE=/work/main bench/pairs.sh [PAIRS]            each pair: the bench in BEFORE, then here
#
# PAIRS defaults to 3. BENCH=run (the children bench, default) or referrals. Every other variable
# (N, CONNECTIONS, DURATION, WARMUP, SCENARIOS, PG_URL, ...) passes through to each run. Each
# checkout is built once first (NO_BUILD=1 skips it). Only the result files these runs write
# (bench/results/*.json of each checkout) are summed up: per scenario, the medians of the full
# stack's ratio to the bare server (children bench), req/s and p95, and with BEFORE the median of
# the pairs' after/before req/s.
set -euo pipefail

PAIRS="${1:-${PAIRS:-3}}"
BENCH="${BENCH:-run}"
HERE="$(cd "$(dirname "$0")/.." && pwd)"
BEFORE="${BEFORE:-}"
case "$BENCH" in run | referrals) ;; *) echo "BENCH must be run or referrals" >&2 && exit 2 ;; esac
[[ "$PAIRS" =~ ^[1-9][0-9]*$ ]] || { echo "PAIRS must be a positive whole number" >&2 && exit 2; }

sides=()
[[ -n "$BEFORE" ]] && sides+=("before=$(cd "$BEFORE" && pwd)")
sides+=("after=$HERE")

if [[ "${NO_BUILD:-0}" != 1 ]]; then
  for side in "${sides[@]}"; do (cd "${side#*=}" && npm run --silent build); done
fi

list=$(mktemp)
trap 'rm -f "$list"' EXIT
for ((pair = 1; pair <= PAIRS; pair++)); do
  for side in "${sides[@]}"; do
    name="${side%%=*}"
    dir="${side#*=}"
    mkdir -p "$dir/bench/results"
    before_files=$(ls "$dir/bench/results" | sort)
    echo "[pairs] pair $pair of $PAIRS: $name ($dir)"
    (cd "$dir" && node scripts/run.js "bench/$BENCH.js")
    comm -13 <(echo "$before_files") <(ls "$dir/bench/results" | sort) | grep '\.json$' |
      while read -r file; do echo "$pair $name $dir/bench/results/$file" >>"$list"; done
  done
done

node - "$list" <<'EOF'
const { readFileSync } = require('node:fs');
const runs = readFileSync(process.argv[2], 'utf8').trim().split('\n').filter(Boolean)
  .map((line) => line.split(' '))
  .map(([pair, side, file]) => ({ pair: Number(pair), side, report: JSON.parse(readFileSync(file, 'utf8')) }));
const median = (xs) => {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const fmt = (x, digits = 1) => (Number.isFinite(x) ? x.toFixed(digits) : '');
// One row per run and scenario: the full stack's figures (children: also the bare server's).
const rows = [];
for (const { pair, side, report } of runs) {
  for (const r of report.results) {
    if (r.target === 'bare') continue;
    const bare = report.results.find((b) => b.target === 'bare' && b.scenario === r.scenario);
    const scenario = `${r.scenario} (${r.connections ?? report.config.connections} conn)`;
    rows.push({ pair, side, scenario, reqPerSec: r.reqPerSec, p95: r.p95, bare: bare?.reqPerSec, ratio: bare ? r.reqPerSec / bare.reqPerSec : NaN });
  }
}
const scenarios = [...new Set(rows.map((r) => r.scenario))];
const sides = [...new Set(rows.map((r) => r.side))];
const out = [['scenario', 'side', 'runs', 'full/bare', 'req/s', 'bare req/s', 'p95 ms', 'after/before req/s']];
for (const scenario of scenarios) {
  for (const side of sides) {
    const mine = rows.filter((r) => r.scenario === scenario && r.side === side);
    if (mine.length === 0) continue;
    let gain = '';
    if (side === 'after' && sides.includes('before')) {
      const ratios = mine.map((a) => {
        const b = rows.find((r) => r.scenario === scenario && r.side === 'before' && r.pair === a.pair);
        return b ? a.reqPerSec / b.reqPerSec : NaN;
      });
      gain = fmt(median(ratios), 2);
    }
    out.push([scenario, side, String(mine.length), fmt(median(mine.map((r) => r.ratio)), 2),
      fmt(median(mine.map((r) => r.reqPerSec))), fmt(median(mine.map((r) => r.bare))),
      fmt(median(mine.map((r) => r.p95)), 2), gain]);
  }
}
const widths = out[0].map((_, i) => Math.max(...out.map((row) => row[i].length)));
const line = (row) => `| ${row.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
console.log(`\nMedians of ${Math.max(...runs.map((r) => r.pair))} pair(s), bench ${process.env.BENCH ?? 'run'}:`);
console.log(line(out[0]));
console.log(line(widths.map((w) => '-'.repeat(w))));
for (const row of out.slice(1)) console.log(line(row));
EOF
