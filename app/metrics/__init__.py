"""Figures a county reports (SPEC §4), computed in SQL from the rollups or the raw lines.

- `retail` 网络零售额 by any grouping; `growth` 同比/累计同比/环比; `premium` 品牌溢价;
  `live_sessions` session KPIs; `live` sessions, active rooms and 村播带货额 by month;
  `targets` progress against targets.
- `facts.line_totals` is the one way to sum sale lines; `rollup_write` keeps the rollup tables
  current (`refresh_days`, `rebuild_all`), `rollup_read` reads them.
- Every figure is a typed value (Decimal 元, int counts, Decimal or Fraction ratios, None with a
  reason); `formatting` is their JSON form, written by the API and the CLI.
"""
