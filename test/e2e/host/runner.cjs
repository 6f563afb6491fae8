// Runs inside the real (remote, Node) extension host that code-server starts for a window opened
// with an extensionTestsPath payload. The harness generates a tiny entry module per window that
// calls run(config); results go to a JSON-lines file the harness reads (browser console output is
// kept as a second channel for humans).
'use strict';
const fs = require('fs');
const path = require('path');
const Mocha = require('mocha');
const ctx = require('./ctx.cjs');

function reporterFor(resultsFile, group) {
  return function E2EReporter(runner) {
    Mocha.reporters.Base.call(this, runner);
    const write = (rec) => fs.appendFileSync(resultsFile, JSON.stringify({ layer: 'A', group, ...rec }) + '\n');
    const started = new Map();
    runner.on('test', (t) => started.set(t, Date.now()));
    runner.on('pass', (t) => {
      write({ title: t.fullTitle(), status: 'passed', ms: Date.now() - (started.get(t) ?? Date.now()) });
      console.log(`  ok   ${t.fullTitle()}`);
    });
    runner.on('fail', (t, err) => {
      const msg = String((err && (err.stack || err.message)) || err).slice(0, 4000);
      write({ title: t.fullTitle(), status: 'failed', ms: Date.now() - (started.get(t) ?? Date.now()), error: msg });
      console.log(`  FAIL ${t.fullTitle()}\n${msg}`);
    });
    runner.on('pending', (t) => {
      write({ title: t.fullTitle(), status: 'skipped', reason: t.__skipReason || ctx.lastSkipReason || 'skipped' });
      console.log(`  skip ${t.fullTitle()}`);
    });
  };
}

exports.run = async function run(config) {
  ctx.configure(config);
  const mocha = new Mocha({ ui: 'bdd', timeout: config.testTimeoutMs ?? 180_000, color: false, reporter: reporterFor(config.resultsFile, config.group) });
  for (const f of config.suites) mocha.addFile(path.resolve(f));
  await new Promise((resolve, reject) => {
    try {
      mocha.run((failures) => (failures ? reject(new Error(`${failures} e2e test(s) failed`)) : resolve()));
    } catch (err) {
      fs.appendFileSync(config.resultsFile, JSON.stringify({ layer: 'A', group: config.group, title: `${config.group}: suite load`, status: 'failed', error: String(err && err.stack || err) }) + '\n');
      reject(err);
    }
  });
};
