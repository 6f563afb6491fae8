// A reporter for mocha (`mocha --reporter <this file>`), written to a temp folder at run time with
// the report's path baked in. Mocha's own xunit reporter is no use across versions: before 2.2 it
// ignores `--reporter-option output=` and prints the XML on stdout among the tests' own output, and
// its classname joins nested suite titles with spaces, so ids could not follow Rover's grammar.
// This one uses only what mocha has had since 1.x (runner events, test.parent/title/file, titlePath
// where it exists, which parallel mode's serialized tests also carry) and writes JUnit XML with
// the test file and the title path "outer > inner > test" — the id `file::outer > inner > test`.
// It writes when the run ends, or when the process exits first (a test calling process.exit).
export function mochaReporterSource(reportPath: string): string {
  return String.raw`'use strict';
const fs = require('fs');
const OUT = ${JSON.stringify(reportPath)};
const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]).replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '');
function titles(t) {
  if (typeof t.titlePath === 'function') return t.titlePath();
  const out = [];
  for (let p = t; p && !p.root; p = p.parent) out.unshift(p.title);
  return out;
}
function fileOf(t) {
  for (let p = t; p; p = p.parent) if (p.file) return p.file;
  return '';
}
function RoverMochaReporter(runner) {
  const cases = [];
  let written = false;
  // what Base-derived reporters expose: old mochas' --growl (express's mocha.opts) reads it at the
  // end, and an exception there would stop mocha before it exits
  const stats = (this.stats = { suites: 0, tests: 0, passes: 0, pending: 0, failures: 0, start: new Date(), end: undefined, duration: 0 });
  runner.on('suite', (s) => { if (!s.root) stats.suites++; });
  const add = (t, status, err) => {
    if (status === 'passed') stats.passes++;
    else if (status === 'skipped') stats.pending++;
    else stats.failures++;
    if (t.type !== 'hook') stats.tests++;
    let message = '';
    if (err) message = String((err && err.stack) || err);
    if (err && err.message && message.indexOf(err.message) < 0) message = err.message + '\n' + message;
    cases.push({ name: titles(t).join(' > '), file: fileOf(t), status: status, message: message });
  };
  runner.on('pass', (t) => add(t, 'passed'));
  runner.on('pending', (t) => add(t, 'skipped'));
  // a failing hook stops the tests it guards: it is reported as an error under its own title
  runner.on('fail', (t, err) => add(t, t.type === 'hook' ? 'error' : 'failed', err));
  const write = () => {
    if (written) return;
    written = true;
    stats.end = new Date();
    stats.duration = stats.end - stats.start;
    let xml = '<?xml version="1.0" encoding="utf-8"?>\n<testsuites><testsuite name="mocha">\n';
    for (const c of cases) {
      xml += '<testcase name="' + esc(c.name) + '" file="' + esc(c.file) + '">';
      if (c.status === 'failed') xml += '<failure message="' + esc(c.message.split('\n')[0]) + '">' + esc(c.message) + '</failure>';
      else if (c.status === 'error') xml += '<error message="' + esc(c.message.split('\n')[0]) + '">' + esc(c.message) + '</error>';
      else if (c.status === 'skipped') xml += '<skipped/>';
      xml += '</testcase>\n';
    }
    xml += '</testsuite></testsuites>\n';
    fs.writeFileSync(OUT, xml);
    const n = (s) => cases.filter((c) => c.status === s).length;
    process.stdout.write('rover: ' + n('passed') + ' passing, ' + (n('failed') + n('error')) + ' failing, ' + n('skipped') + ' pending\n');
  };
  runner.on('end', write);
  process.on('exit', write);
}
module.exports = RoverMochaReporter;
`;
}
