#!/usr/bin/env bash
# Checks what monitoring/ ships for a province's Prometheus and Grafana: the alert rules parse
# (promtool check rules) and fire as their tests say (promtool test rules), and every query of the
# Grafana dashboard is valid PromQL (each is written as a recording rule into a scratch file that
# promtool checks). That the metrics they name are the ones the MCU serves is checked against a
# running MCU by the integration test
# Health.ImpairedSiteIsMeasuredAlarmedAndRecordedWhileOthersFlow.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v promtool >/dev/null || { echo "promtool missing: scripts/install-deps.sh --test" >&2; exit 1; }
promtool check rules monitoring/prometheus/mcu-rules.yml
(cd monitoring/prometheus && promtool test rules mcu-rules.test.yml)
scratch=$(mktemp -d); trap 'rm -rf "$scratch"' EXIT
node - monitoring/grafana/mcu-dashboard.json "$scratch/dashboard-rules.yml" <<'JS'
const fs = require('fs');
const [file, out] = process.argv.slice(2);
const dash = JSON.parse(fs.readFileSync(file, 'utf8'));
const exprs = [];
const walk = (panels) => {
  for (const p of panels || []) {
    for (const t of p.targets || []) exprs.push([p.title, t.expr]);
    walk(p.panels);
  }
};
walk(dash.panels);
if (!exprs.length) throw new Error(`${file}: no queries`);
// Grafana's variables become what "All" selects.
const rules = exprs.map(([title, e], i) =>
  `      - record: dashboard:query_${i}\n        expr: ${JSON.stringify(e.replace(/\$\w+/g, '.*'))}`);
fs.writeFileSync(out, `groups:\n  - name: dashboard\n    rules:\n${rules.join('\n')}\n`);
console.log(`${file}: ${exprs.length} queries`);
JS
promtool check rules "$scratch/dashboard-rules.yml"
