// The verdict of a before/after pair of test runs. A patch is judged by what it changed: tests that
// failed before it and still fail are named as old failures, not held against it (a checkout with
// hundreds of failures that have nothing to do with the issue is common); only exact test ids given
// as targets must pass. A file or class given as a target (`tests/test_config.py`,
// `tests/test_x.py::TestC`, `test/app.js::outer`) selects the tests under it.
import { expandTestId, matchTestIds, suggestTestIds } from '../runner/test-ids';
import { isPassing, type TestRunResult, type TestStatus } from '../runner/types';
import type { ValidationReport, Verdict } from './types';

const FAILING: ReadonlySet<TestStatus> = new Set(['failed', 'error', 'xpass']);

export function report(verdict: Verdict, before: TestRunResult, after: TestRunResult, explanation: string): ValidationReport {
  return { verdict, before, after, failToPass: [], passToFail: [], stillFailing: [], alreadyFailing: [], explanation };
}

/**
 * Compare two runs. `requested`: the ids the user named. An id that names one test is a target that
 * must pass afterwards (missing counts as failing, like SWE-bench); one that names a file, class or
 * suite selects its tests, which are judged by what the patch changed.
 */
export function judge(before: TestRunResult, after: TestRunResult, requested?: string[]): ValidationReport {
  const mk = (verdict: Verdict, explanation: string, extra: Partial<ValidationReport> = {}) => ({ ...report(verdict, before, after, explanation), ...extra });
  if (before.cancelled || after.cancelled) return mk('error', 'The test run was cancelled.');
  if (before.timedOut || after.timedOut) {
    const which = before.timedOut ? 'before the patch' : 'with the patch';
    return mk('timeout', `The tests timed out ${which} (${(before.timedOut ? before : after).error ?? ''}). A patch that makes the suite hang is not accepted; raise the time limit if the suite is just slow.`.replace(' ()', ''));
  }
  const afterIds = Object.keys(after.results);
  const beforeIds = Object.keys(before.results);
  if (after.error && afterIds.length === 0) {
    const same = before.error && beforeIds.length === 0;
    return mk('error', same ? `The tests cannot run here, with or without the patch: ${after.error}` : `The tests ran before the patch but not with it: ${after.error}`);
  }
  const reported = new Set([...beforeIds, ...afterIds]);
  // a requested id that is no single test but has tests under it is a selection, not a target; one in
  // another accepted form (mocha's full title, a parametrized test without its parameter) stands for
  // the tests it names
  const aliases = matchTestIds((requested ?? []).filter((r) => !reported.has(r)), reported);
  const oracle = [
    ...new Set(
      (requested ?? []).flatMap((r) => {
        if (reported.has(r)) return [r];
        if (expandTestId(r, reported).length) return [];
        return aliases.get(r) ?? [r];
      }),
    ),
  ];
  const ids = [...new Set([...oracle, ...reported])].sort();
  if (ids.length === 0) {
    return mk('no-tests', 'No tests ran: the project has no tests Rover could find for this change. Rover can write a reproduction test for the issue (Fix This Issue does) and use it as the oracle.');
  }
  const failToPass: string[] = [];
  const passToFail: string[] = [];
  const stillFailing: string[] = [];
  const alreadyFailing: string[] = [];
  const oracleSet = new Set(oracle);
  for (const id of ids) {
    const b = before.results[id];
    const a = after.results[id];
    if (isPassing(b) && !isPassing(a) && (a !== undefined || afterIds.length > 0) && a !== 'skipped') passToFail.push(id);
    else if (!isPassing(b) && isPassing(a)) failToPass.push(id);
    else if (!isPassing(a) && (oracleSet.has(id) || (a !== undefined && FAILING.has(a)))) {
      stillFailing.push(id);
      if (b !== undefined && FAILING.has(b)) alreadyFailing.push(id);
    }
  }
  const extra = { failToPass, passToFail, stillFailing, alreadyFailing };
  const list = (xs: string[]) => xs.slice(0, 8).join(', ') + (xs.length > 8 ? `, … (${xs.length} in all)` : '');
  const old = (xs: string[]) => (xs.length ? ` ${xs.length} other test(s) failed before the patch and still fail, so they are not its doing (${xs.slice(0, 3).join(', ')}${xs.length > 3 ? ', …' : ''}).` : '');
  if (passToFail.length) return mk('regressed', `The patch breaks ${passToFail.length} test(s) that passed before: ${list(passToFail)}.`, extra);
  if (oracle.length) {
    const notPassing = oracle.filter((t) => !isPassing(after.results[t]));
    const others = alreadyFailing.filter((t) => !oracleSet.has(t));
    if (notPassing.length === 0) {
      const already = oracle.filter((t) => isPassing(before.results[t]));
      return mk('resolved', `All ${oracle.length} target test(s) pass with the patch${already.length ? ` (${already.length} already passed before it)` : ''}; no previously passing test fails.${old(others)}`, extra);
    }
    const missing = notPassing.filter((t) => after.results[t] === undefined);
    const near = missing.flatMap((m) => {
      const s = suggestTestIds(m, reported);
      return s.length ? [`${m}: did you mean ${s.map((x) => `"${x}"`).join(' or ')}?`] : [];
    });
    const hint = missing.length ? ` (${missing.length} did not run at all: check the id${near.length ? `; ${near.join('; ')}` : ''})` : '';
    return mk('unresolved', `${notPassing.length} of ${oracle.length} target test(s) still do not pass: ${list(notPassing)}${hint}.${old(others)}`, extra);
  }
  const fresh = stillFailing.filter((t) => !alreadyFailing.includes(t));
  if (fresh.length) {
    return mk('unresolved', `${fresh.length} test(s) fail with the patch that did not fail before it (they did not run before): ${list(fresh)}${failToPass.length ? `; ${failToPass.length} now pass` : ''}.${old(alreadyFailing)}`, extra);
  }
  if (failToPass.length) return mk('resolved', `${failToPass.length} failing test(s) now pass (${list(failToPass)}) and no previously passing test fails.${old(alreadyFailing)}`, extra);
  if (alreadyFailing.length) {
    return mk('unresolved', `No test went from failing to passing: ${alreadyFailing.length} test(s) fail with and without the patch (${list(alreadyFailing)}), so no test shows what the patch fixes. Name the test for the issue with --tests (or let Rover write a reproduction test).`, extra);
  }
  return mk('unresolved', `All ${ids.length} test(s) pass with and without the patch: no test shows what the patch fixes. Add a test for the issue (or let Rover write a reproduction test) to decide.`, extra);
}
