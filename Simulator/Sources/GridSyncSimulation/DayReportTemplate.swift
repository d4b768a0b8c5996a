/// The HTML report's markup (``DayReportPage``): one page, its style and SVG charts inline, no
/// script and nothing fetched, so it opens the same anywhere, offline.
enum DayReportTemplate {
    static let html = #"""
<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{title}}</title>
<style>
  body { font: 14px/1.45 system-ui, "Noto Sans CJK SC", sans-serif; margin: 24px auto; max-width: 860px; color: #1d2733; background: #fff; }
  h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 16px; margin: 28px 0 8px; border-bottom: 1px solid #dde3ea; padding-bottom: 4px; }
  .verdict { padding: 10px 14px; border-radius: 6px; font-weight: 600; margin: 12px 0; }
  .verdict.ok { background: #e6f4ea; color: #14532d; } .verdict.bad { background: #fde8e8; color: #7f1d1d; }
  table { border-collapse: collapse; width: 100%; } td, th { text-align: left; padding: 4px 8px; border-bottom: 1px solid #eef1f4; }
  td.ok { color: #14532d; background: #e6f4ea; font-weight: 600; } td.bad { color: #7f1d1d; background: #fde8e8; font-weight: 600; }
  code { background: #f3f5f7; padding: 2px 5px; border-radius: 4px; font-size: 12px; }
  svg { width: 100%; height: auto; background: #fafbfc; border: 1px solid #eef1f4; border-radius: 6px; }
  .axis { stroke: #9aa5b1; stroke-width: 1; } .tick { font-size: 10px; fill: #5b6775; }
  .requests { fill: none; stroke: #2563eb; stroke-width: 1.5; } .changes { fill: none; stroke: #059669; stroke-width: 1.5; }
  .error0 { fill: none; stroke: #dc2626; stroke-width: 1.5; } .error1 { fill: none; stroke: #d97706; stroke-width: 1.5; }
  .error2 { fill: none; stroke: #7c3aed; stroke-width: 1.5; } .error3 { fill: none; stroke: #db2777; stroke-width: 1.5; }
  .bar { fill: #60a5fa; } .street { fill: #f59e0b; } .mark { stroke: #111827; stroke-dasharray: 4 3; } .phase { stroke: #9ca3af; stroke-dasharray: 2 3; }
  .legend { font-size: 12px; color: #5b6775; } .none { color: #5b6775; font-style: italic; }
  span.requests { color: #2563eb; } span.changes { color: #059669; } span.error0 { color: #dc2626; }
  span.error1 { color: #d97706; } span.error2 { color: #7c3aed; } span.error3 { color: #db2777; }
</style>
</head>
<body>
<h1>{{title}}</h1>
<div>{{scenario}}; seed {{seed}}</div>
{{#passed}}<div class="verdict ok" id="verdict">{{verdict}}</div>{{/passed}}
{{^passed}}<div class="verdict bad" id="verdict">{{verdict}}</div>{{/passed}}
<p>Reproduce: <code>{{reproduce}}</code></p>

<h2>Invariants</h2>
<table id="invariants">
<tr><th>what must hold</th><th>figure</th><th></th></tr>
{{#invariants}}<tr><td>{{name}}</td><td>{{value}}</td><td class="{{css}}">{{#ok}}holds{{/ok}}{{^ok}}BROKEN{{/ok}}</td></tr>
{{/invariants}}
</table>

<h2>The day in figures</h2>
<table id="figures">
{{#figures}}<tr><td>{{name}}</td><td data-figure="{{name}}">{{value}}</td></tr>
{{/figures}}
</table>

<h2>Storm timeline</h2>
<div class="legend">{{#timeline.series}}<span class="{{css}}">■</span> {{name}} (peak {{peak}}) &nbsp; {{/timeline.series}}dashed: storms begin</div>
<svg id="timeline" viewBox="-40 -10 800 260" role="img" aria-label="requests and changes per second over the day">
  <line class="axis" x1="0" y1="220" x2="720" y2="220"/><line class="axis" x1="0" y1="0" x2="0" y2="220"/>
  <text class="tick" x="-6" y="4" text-anchor="end">{{timeline.top}}</text><text class="tick" x="-6" y="220" text-anchor="end">0</text>
  {{#timeline.ticks}}<text class="tick" x="{{x}}" y="236" text-anchor="middle">{{label}}</text>{{/timeline.ticks}}
  {{#timeline.marks}}<line class="phase" x1="{{x}}" y1="0" x2="{{x}}" y2="220"><title>{{label}}</title></line>{{/timeline.marks}}
  {{#timeline.series}}<polyline class="{{css}}" points="{{points}}"><title>{{name}}</title></polyline>{{/timeline.series}}
</svg>

<h2>Sync latency</h2>
<div class="legend">terminals' syncs in the storms, by how long each took; dashed: {{#latency.marks}}{{label}} {{value}} &nbsp; {{/latency.marks}}</div>
<svg id="latency" viewBox="-40 -10 800 240" role="img" aria-label="sync latency distribution">
  <line class="axis" x1="0" y1="200" x2="720" y2="200"/>
  <text class="tick" x="-6" y="4" text-anchor="end">{{latency.top}}</text>
  <text class="tick" x="0" y="216">{{latency.left}}</text><text class="tick" x="720" y="216" text-anchor="end">{{latency.right}}</text>
  {{#latency.bars}}<rect class="bar" x="{{x}}" y="{{y}}" width="{{width}}" height="{{height}}"><title>{{label}}</title></rect>{{/latency.bars}}
  {{#latency.marks}}<line class="mark" x1="{{x}}" y1="0" x2="{{x}}" y2="200"/><text class="tick" x="{{x}}" y="-2" text-anchor="middle">{{label}}</text>{{/latency.marks}}
</svg>

<h2>Terminals by time spent syncing</h2>
<div class="legend">each terminal's seconds in the storms' syncs, over the day</div>
<svg id="terminals" viewBox="-40 -10 800 240" role="img" aria-label="terminals by sync duration">
  <line class="axis" x1="0" y1="200" x2="720" y2="200"/>
  <text class="tick" x="-6" y="4" text-anchor="end">{{terminals.top}}</text>
  <text class="tick" x="0" y="216">{{terminals.left}}</text><text class="tick" x="720" y="216" text-anchor="end">{{terminals.right}}</text>
  {{#terminals.bars}}<rect class="bar" x="{{x}}" y="{{y}}" width="{{width}}" height="{{height}}"><title>{{label}}</title></rect>{{/terminals.bars}}
</svg>

<h2>Conflicts per street</h2>
{{#noStreets}}<p class="none">No record in conflict at the end of the day.</p>{{/noStreets}}
{{^noStreets}}<svg id="streets" viewBox="0 -4 760 {{streetsHeight}}" role="img" aria-label="records in conflict per street">
  {{#streets}}<text class="tick" x="0" y="{{y}}" dy="14">{{street}}</text><rect class="street" x="260" y="{{y}}" width="{{width}}" height="16"/><text class="tick" x="266" y="{{y}}" dy="12">{{count}}</text>
  {{/streets}}
</svg>{{/noStreets}}

<h2>Errors over time</h2>
{{#noErrors}}<p class="none" id="errors">No sync failed during the day.</p>{{/noErrors}}
{{^noErrors}}<div class="legend">{{#errors.series}}<span class="{{css}}">■</span> {{name}} (peak {{peak}}/s) &nbsp; {{/errors.series}}</div>
<svg id="errors" viewBox="-40 -10 800 260" role="img" aria-label="failed syncs by kind over the day">
  <line class="axis" x1="0" y1="220" x2="720" y2="220"/>
  <text class="tick" x="-6" y="4" text-anchor="end">{{errors.top}}</text>
  {{#errors.ticks}}<text class="tick" x="{{x}}" y="236" text-anchor="middle">{{label}}</text>{{/errors.ticks}}
  {{#errors.series}}<polyline class="{{css}}" points="{{points}}"><title>{{name}}</title></polyline>{{/errors.series}}
</svg>{{/noErrors}}
</body>
</html>
"""#
}
