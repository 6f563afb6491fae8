// The words of the hand-off: the commit message and the draft pull request's title and body (what was
// changed and why, the tests that now pass, those run for regressions, the cost, "Fixes #N").
import type { BugLocation } from '../agent/events';
import type { FixSessionResult } from '../agent/fix-session';
import { shortRef, type IssueRef, type RepoRef } from './refs';

/** What the fix session established, for the pull request's body. */
export interface FixFacts {
  locations: BugLocation[];
  /** Tests that failed before the change and pass with it. */
  failToPass: string[];
  /** Tests run for regressions (they pass before and after). */
  regressionTests: string[];
  validated: boolean;
  /** Why the patch was chosen, in the session's words. */
  reason?: string;
  costUsd?: number;
  /** The reproduction test's file, when the commit includes it. */
  reproductionTest?: string;
  /** How many of the proposed hunks the user accepted (the editor's review). */
  hunks?: { accepted: number; proposed: number };
}

export interface IssueFacts {
  ref: IssueRef;
  title: string;
  url: string;
}

export function fixFactsFrom(r: FixSessionResult): FixFacts {
  const chosen = r.candidates.find((c) => c.id === r.chosenId);
  const failToPass = [...new Set([...(chosen?.failToPass ?? []), ...(r.validated ? r.oracle.tests : [])])];
  const regressionTests = r.validatingTests.filter((t) => !failToPass.includes(t) && !(chosen?.passToFail ?? []).includes(t));
  return { locations: r.locations, failToPass, regressionTests, validated: r.validated, reason: r.reason, costUsd: r.usage.costUsd, reproductionTest: r.reproduction?.test?.file };
}

/** Per file: lines added and removed, from a unified diff. */
export function diffStat(diff: string): { file: string; added: number; removed: number }[] {
  const out: { file: string; added: number; removed: number }[] = [];
  let cur: { file: string; added: number; removed: number } | undefined;
  let oldName = '';
  for (const line of diff.split('\n')) {
    if (line.startsWith('--- ')) oldName = line.slice(4).replace(/^[ab]\//, '').replace(/\t.*$/, '');
    else if (line.startsWith('+++ ')) {
      const n = line.slice(4).replace(/^[ab]\//, '').replace(/\t.*$/, '');
      cur = { file: n === '/dev/null' ? oldName : n, added: 0, removed: 0 };
      out.push(cur);
    } else if (cur && line.startsWith('+')) cur.added++;
    else if (cur && line.startsWith('-')) cur.removed++;
  }
  return out;
}

export function commitMessage(issue: IssueFacts, origin: RepoRef | undefined, facts: FixFacts): string {
  const ref = shortRef(issue.ref, origin);
  const lines = [`Fix ${ref}: ${oneLine(issue.title, 60)}`, ''];
  const why = facts.locations.map((l) => `${l.file}${l.method ? ` (${[l.className, l.method].filter(Boolean).join('.')})` : ''}: ${oneLine(l.intendedBehavior, 200)}`);
  if (why.length) lines.push(...why.map((w) => `- ${w}`), '');
  lines.push(`Fixes ${ref}`, `Issue: ${issue.url}`);
  return lines.join('\n') + '\n';
}

export function prTitle(issue: IssueFacts, origin?: RepoRef): string {
  return `Fix ${shortRef(issue.ref, origin)}: ${oneLine(issue.title, 200)}`;
}

export function prBody(issue: IssueFacts, origin: RepoRef | undefined, facts: FixFacts, diff: string): string {
  const ref = shortRef(issue.ref, origin);
  const out: string[] = [`Rover's fix for ${ref}, *${oneLine(issue.title, 200)}*. Opened as a draft: review it before merging.`, '', '### What changed and why'];
  if (facts.locations.length) {
    for (const l of facts.locations) {
      const sym = [l.className, l.method].filter(Boolean).join('.');
      out.push(`- \`${l.file}\` lines ${l.startLine}–${l.endLine}${sym ? ` (\`${sym}\`)` : ''}: ${oneLine(l.intendedBehavior, 400)}`);
    }
  } else out.push('- (The session reported no bug location.)');
  const stat = diffStat(diff);
  out.push('', `Files: ${stat.map((s) => `\`${s.file}\` (+${s.added} −${s.removed})`).join(', ')}`);
  if (facts.reason) out.push('', `Why this patch: ${oneLine(facts.reason, 600)}`);
  out.push('', '### Tests');
  if (facts.failToPass.length) out.push(`- Now pass (failed before the change): ${list(facts.failToPass)}`);
  else out.push('- No test was seen failing before the change and passing after it.');
  if (facts.regressionTests.length) out.push(`- Run for regressions, all passing: ${list(facts.regressionTests)}`);
  if (facts.reproductionTest) out.push(`- The reproduction test Rover wrote is included: \`${facts.reproductionTest}\``);
  out.push(`- ${facts.validated ? "Validated by the project's own tests in a private checkout before the hand-off." : 'Not validated by tests: review with care.'}`);
  out.push('', '### Review');
  if (facts.hunks) out.push(`- ${facts.hunks.accepted} of ${facts.hunks.proposed} proposed hunk(s) accepted in the editor's review; only those are committed.`);
  if (facts.costUsd !== undefined) out.push(`- Model cost of the session: ~$${facts.costUsd.toFixed(4)} (estimated).`);
  out.push('', `Fixes ${ref}`);
  return out.join('\n') + '\n';
}

function list(tests: string[], max = 12): string {
  const shown = tests.slice(0, max).map((t) => `\`${t}\``).join(', ');
  return tests.length > max ? `${shown} and ${tests.length - max} more` : shown;
}

function oneLine(s: string, max: number): string {
  const t = s.replace(/\s+/g, ' ').trim();
  return t.length <= max ? t : `${t.slice(0, max - 1)}…`;
}
