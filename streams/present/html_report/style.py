"""The HTML report's stylesheet, inlined into the page (no external files)."""

STYLE = """
:root {
  --ink: #1f2933; --muted: #616e7c; --line: #d9e2ec; --panel: #ffffff; --page: #f5f7fa;
  --critical: #c62828; --high: #ef6c00; --medium: #f2b01e; --low: #1e88e5;
  --mean: #283593; --p50: #00897b; --p90: #8e24aa; --mttd: #3949ab; --mtta: #d81b60;
  --cfr: #5e35b1; --age: #e53935;
}
* { box-sizing: border-box; }
body {
  margin: 0; padding: 24px; background: var(--page); color: var(--ink);
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
}
header, main, footer { max-width: 1080px; margin: 0 auto; }
h1 { margin: 0 0 4px; font-size: 24px; }
h2 { margin: 0 0 2px; font-size: 17px; }
h3 { margin: 12px 0 0; font-size: 14px; }
.scope, .note, footer { color: var(--muted); }
.note { margin: 0 0 8px; }
footer { margin-top: 16px; font-size: 12px; }
.tiles {
  display: grid; grid-template-columns: repeat(auto-fit, minmax(120px, 1fr));
  gap: 10px; margin: 16px 0;
}
.tile { background: var(--panel); border: 1px solid var(--line); border-radius: 6px;
        padding: 10px 12px; }
.tile .value { display: block; font-size: 20px; font-weight: 600; }
.tile .label { color: var(--muted); font-size: 12px; }
.chart, section.table { background: var(--panel); border: 1px solid var(--line);
         border-radius: 6px; padding: 14px 16px; margin: 0 0 14px; }
.chart svg.frame { display: block; width: 100%; height: auto; }
.empty { color: var(--muted); font-style: italic; padding: 18px 0; margin: 0; }
.legend { display: flex; flex-wrap: wrap; gap: 14px; font-size: 12px; color: var(--muted); }
.legend .swatch { display: inline-block; width: 14px; height: 4px; margin-right: 5px;
                  vertical-align: middle; border-radius: 2px; }
.grid { stroke: var(--line); stroke-width: 1; }
.axis { stroke: var(--muted); stroke-width: 1; }
text.tick { fill: var(--muted); font-size: 11px; }
text.label { fill: var(--ink); font-size: 12px; }
path.line { fill: none; stroke-width: 2; }
.mark:hover { opacity: 0.75; }
.critical { fill: var(--critical); stroke: var(--critical); background: var(--critical); }
.high { fill: var(--high); stroke: var(--high); background: var(--high); }
.medium { fill: var(--medium); stroke: var(--medium); background: var(--medium); }
.low { fill: var(--low); stroke: var(--low); background: var(--low); }
.mean { fill: var(--mean); stroke: var(--mean); background: var(--mean); }
.p50 { fill: var(--p50); stroke: var(--p50); background: var(--p50); }
.p90 { fill: var(--p90); stroke: var(--p90); background: var(--p90); }
.mttd { fill: var(--mttd); stroke: var(--mttd); background: var(--mttd); }
.mtta { fill: var(--mtta); stroke: var(--mtta); background: var(--mtta); }
.cfr { fill: var(--cfr); stroke: var(--cfr); background: var(--cfr); }
.age { fill: var(--age); stroke: var(--age); }
path.line.p50 { stroke-dasharray: 6 3; }
path.line.p90 { stroke-dasharray: 2 3; }
path.line.mtta { stroke-dasharray: 6 3; }
line.whisker { stroke: var(--ink); stroke-width: 2; }
table { width: 100%; border-collapse: collapse; font-size: 13px; }
th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid var(--line); }
th { color: var(--muted); font-weight: 600; }
td.age, td.when { white-space: nowrap; }
td.age { text-align: right; }
td.bar svg { display: block; width: 160px; height: 12px; }
.badge { display: inline-block; padding: 0 6px; border-radius: 8px; color: #fff;
         font-size: 12px; }
.badge.medium { color: var(--ink); }
@media print {
  body { background: #fff; padding: 0; }
  .chart, section.table { break-inside: avoid; }
}
"""
