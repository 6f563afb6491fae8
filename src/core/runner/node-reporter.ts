// A reporter for Node's built-in test runner (`node --test --test-reporter=<this file>`). Node 20's
// own junit reporter drops the test file, so ids would not be stable across files; this one writes
// JUnit XML with the file and the nested title path ("outer > inner"). It is written to a temp
// folder at run time (the extension ships no loose .mjs files).
export const NODE_REPORTER_SOURCE = String.raw`
const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]).replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '');
export default async function* roverReporter(source) {
  const stack = [];
  const cases = [];
  for await (const ev of source) {
    const d = ev.data || {};
    if (ev.type === 'test:start') { stack.length = d.nesting; stack[d.nesting] = d.name; continue; }
    if (ev.type !== 'test:pass' && ev.type !== 'test:fail') continue;
    const details = d.details || {};
    if (details.type === 'suite') continue;
    const path = stack.slice(0, d.nesting).concat(d.name).join(' > ');
    let status = ev.type === 'test:pass' ? 'passed' : 'failed';
    if (d.skip !== undefined && d.skip !== false) status = 'skipped';
    else if (d.todo !== undefined && d.todo !== false) status = 'skipped';
    const err = details.error;
    let message = '';
    let line = '';
    if (err) {
      const cause = err.cause || err;
      message = (cause && (cause.stack || cause.message)) || err.message || String(err);
      if (err.failureType && err.failureType !== 'testCodeFailure' && err.failureType !== 'subtestsFailed') status = 'error';
      const m = d.file ? new RegExp(d.file.replace(/[.*+?^$(){}|[\]\\]/g, '\\$&') + ':(\\d+)').exec(String(message)) : null;
      if (m) line = m[1];
    }
    // a file that could not even load is reported as a test named after the file
    if (d.file && d.name === d.file) status = 'error';
    cases.push({ file: d.file || '', name: path, status, message, line });
  }
  let xml = '<?xml version="1.0" encoding="utf-8"?>\n<testsuites><testsuite name="node:test">\n';
  for (const c of cases) {
    xml += '<testcase name="' + esc(c.name) + '" file="' + esc(c.file) + '"' + (c.line ? ' line="' + c.line + '"' : '') + '>';
    if (c.status === 'failed') xml += '<failure message="' + esc(String(c.message).split('\n')[0]) + '">' + esc(c.message) + '</failure>';
    else if (c.status === 'error') xml += '<error message="' + esc(String(c.message).split('\n')[0]) + '">' + esc(c.message) + '</error>';
    else if (c.status === 'skipped') xml += '<skipped/>';
    xml += '</testcase>\n';
  }
  xml += '</testsuite></testsuites>\n';
  yield xml;
}
`;
