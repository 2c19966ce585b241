/**
 * The page shell shared by the HTML reports: one self-contained document, inline CSS and a few
 * lines of inline JavaScript, nothing fetched at view time. Counterexample sections of the matrix
 * page are shown with CSS `:target`, so cell links work even with scripts off.
 */
import { esc } from './escape.js'

const CSS = `
:root { --fg: #1d2330; --muted: #667085; --line: #d0d5dd; --bg2: #f5f6f8; --ok: #117a3d; --okbg: #e3f4e9;
  --bad: #b42318; --badbg: #fde7e5; --unk: #8a6d00; --unkbg: #fff5d6; --mark: #fff0a8; --loop: #7a3fd1; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); margin: 0; padding: 1.2em 2em 4em; }
h1 { font-size: 1.5em; margin: 0 0 .2em; } h2 { font-size: 1.2em; margin: 1.6em 0 .5em; } h3 { font-size: 1.05em; margin: 1.2em 0 .4em; }
.sub { color: var(--muted); margin: 0 0 1em; }
code, .mono, .val { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: 12.5px; }
table { border-collapse: collapse; margin: .4em 0 1em; }
th, td { border: 1px solid var(--line); padding: .3em .6em; text-align: left; vertical-align: top; }
th { background: var(--bg2); font-weight: 600; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.verdict { display: inline-block; padding: .25em .7em; border-radius: 4px; font-weight: 600; }
.holds, .verdict.ok { background: var(--okbg); color: var(--ok); }
.fails, .verdict.violation, .verdict.error { background: var(--badbg); color: var(--bad); }
.unknown, .verdict.incomplete { background: var(--unkbg); color: var(--unk); }
td.fails a { color: var(--bad); font-weight: 600; }
td.selected { outline: 3px solid var(--bad); outline-offset: -3px; }
table.matrix { font-size: 13px; }
table.matrix th, table.matrix td { padding: .2em .4em; text-align: center; white-space: nowrap; }
table.matrix thead th { position: sticky; top: 0; z-index: 2; }
table.matrix th.label { position: sticky; left: 0; z-index: 1; text-align: left; }
table.matrix thead th.label { z-index: 3; }
table.matrix td.label { text-align: left; }
table.matrix th.prop { cursor: help; font-family: ui-monospace, Menlo, Consolas, monospace; }
table.matrix .group-start { border-left: 3px solid #98a2b3; }
table.matrix td.na { color: var(--muted); }
table.matrix td.unexpected { outline: 3px solid var(--bad); outline-offset: -3px; font-weight: 700; }
.bang { color: var(--bad); }
ul.headline { margin: .2em 0 .8em; padding-left: 1.2em; }
dl.legend { columns: 2 28em; font-size: 12.5px; margin: 0 0 1em; }
dl.legend dt { font-weight: 600; margin-top: .3em; } dl.legend dd { margin: 0 0 0 .8em; break-inside: avoid; }
.meaning { margin: -.4em 0 .6em; color: #344054; font-style: italic; }
.bar { display: inline-block; height: .7em; background: #7aa7e0; vertical-align: middle; }
tr.dead td { color: var(--bad); }
.trace { border: 1px solid var(--line); border-radius: 6px; padding: .2em 1em 1em; margin: 1.2em 0; }
.hidden-until-target .trace { display: none; }
.hidden-until-target .trace:target, body.show-all .hidden-until-target .trace { display: block; }
.seq { display: grid; gap: 0; margin: .6em 0 1em; border: 1px solid var(--line); border-radius: 4px; overflow-x: auto; }
.seq > div { padding: .25em .5em; border-bottom: 1px solid #eef0f3; min-height: 2em; }
.seq .lanehead { background: var(--bg2); font-weight: 600; text-align: center; border-bottom: 1px solid var(--line); }
.seq .lane { background: linear-gradient(#c9cfd8, #c9cfd8) no-repeat center / 2px 100%; text-align: center; }
.seq .evt { display: inline-block; background: #fff; border: 1.5px solid #5b7db8; border-radius: 4px; padding: .05em .45em;
  font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 12px; max-width: 100%; overflow-wrap: anywhere; }
.seq .idx { color: var(--muted); text-align: right; font-variant-numeric: tabular-nums; }
.seq .chg { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 12px; color: #344054; overflow-wrap: anywhere; }
.seq .chg details.more > summary { color: inherit; }
.seq .init { text-align: center; color: var(--muted); font-style: italic; }
.seq .inloop { box-shadow: inset 3px 0 0 var(--loop); }
.seq .back { grid-column: 2 / -1; color: var(--loop); font-weight: 600; }
.seq .bad { background-color: var(--badbg); }
.loopmark { color: var(--loop); font-weight: 600; }
ol.steps { padding-left: 0; list-style: none; }
ol.steps > li { border-top: 1px solid #eef0f3; padding: .35em 0; }
ol.steps > li.inloop { border-left: 3px solid var(--loop); padding-left: .6em; }
.label { font-family: ui-monospace, Menlo, Consolas, monospace; font-weight: 600; }
.actor { font-size: 11px; color: var(--muted); border: 1px solid var(--line); border-radius: 8px; padding: 0 .45em; margin-left: .4em; }
ul.changes { margin: .2em 0; padding-left: 1.4em; }
mark { background: var(--mark); border-radius: 2px; }
.was { color: var(--muted); text-decoration: line-through; }
details > summary { cursor: pointer; color: var(--muted); }
.state { margin: .2em 0 .2em 1.2em; } .state .k { color: #475467; }
.state td, .state th { border: none; padding: .05em .6em .05em 0; }
.msg { font-weight: 600; color: var(--bad); }
.note { color: var(--muted); }
button { font: inherit; padding: .2em .7em; }
`

const SCRIPT = `
document.addEventListener('click', function (e) {
  var a = e.target.closest && e.target.closest('a.cell-link');
  if (!a) return;
  document.querySelectorAll('td.selected').forEach(function (td) { td.classList.remove('selected'); });
  a.closest('td').classList.add('selected');
});
var all = document.getElementById('show-all');
if (all) all.addEventListener('click', function () { document.body.classList.toggle('show-all'); });
function select() {
  var id = location.hash.slice(1);
  if (!id) return;
  document.querySelectorAll('a.cell-link').forEach(function (a) {
    if (a.getAttribute('href') === '#' + id) a.closest('td').classList.add('selected');
  });
}
select();
`

/** A whole HTML document around `body` (already escaped HTML). */
export function htmlPage(title: string, body: string): string {
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    // No network at view time: nothing but inline styles and scripts may load.
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">`,
    `<title>${esc(title)}</title>`,
    `<style>${CSS}</style>`,
    '</head>',
    '<body>',
    body,
    `<script>${SCRIPT}</script>`,
    '</body>',
    '</html>',
    '',
  ].join('\n')
}
