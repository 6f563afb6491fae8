// The ranking as text (`rover localize`, the localize tool). The score printed is the one the list is ordered by (the SBFL
// score on a 0..1 scale plus the evidence), broken down on the line below it, and a tie is said in
// words: which functions share an SBFL score and what, if anything, put this one where it is.
import { unitScore } from './rank';
import type { Formula, LocalizationResult, RankedLocation } from './types';

const TIE_REASON: Record<RankedLocation['tieBrokenBy'], string> = {
  none: '',
  'test-support': "set apart by test-support code (pytester, testutils) going after the project's own",
  stack: "set apart by the failing tests' tracebacks",
  issue: 'set apart by the issue (a traceback in it, names it mentions, its words in the code)',
  history: 'set apart by past commits whose messages read like the issue',
  'test-name': "set apart by file names (named like the failing test's file)",
  lines: 'set apart by how many of their lines have this score',
  unbroken: 'nothing sets them apart (the same evidence): listed by path',
};

/** What the list is ordered by: the SBFL score on a 0..1 scale (dstar squashed) plus the evidence. */
export function rankScore(formula: Formula, e: Pick<RankedLocation, 'score' | 'evidence'>): number {
  return unitScore(formula, e.score) + e.evidence;
}

function evidenceWords(e: RankedLocation): string {
  return [
    e.stackScore ? `in the failing tests' tracebacks (${fmt(e.stackScore)})` : '',
    e.issueTraceScore ? `in a traceback in the issue (${fmt(e.issueTraceScore)})` : '',
    e.issueScore ? `named by the issue (${fmt(e.issueScore)})` : '',
    e.issueTextScore ? `the issue's words in its code (${fmt(e.issueTextScore)})` : '',
    e.historyScore ? `past commits like the issue (${fmt(e.historyScore)})` : '',
    e.testNameMatch ? `named like the failing test${e.testNameMatch === 1 ? ' (loosely)' : ''}` : '',
  ]
    .filter(Boolean)
    .join(', ');
}

export function formatText(r: LocalizationResult, top: number): string {
  const lines: string[] = [];
  lines.push(`${r.formula} over ${r.failing.length} failing / ${r.passing.length} passing tests — coverage ${r.mode} via ${r.tool}${r.fromCache ? ` (${r.fromCache} from cache)` : ''}, ${(r.collectMs / 1000).toFixed(1)} s`);
  if (r.entries.length === 0) {
    lines.push('No code outside the tests was executed by the failing tests.');
    return lines.join('\n') + '\n';
  }
  lines.push(
    `score = ${r.formula}${r.formula === 'dstar' ? ' (as s/(1+s))' : ''} of the function's most suspicious line + evidence (tracebacks, the issue, file names, history); the list is ordered by it`,
  );
  const failing = r.failing.length;
  const passing = r.passing.length;
  for (const e of r.entries.slice(0, top)) {
    const name = e.method ? (e.className && !e.qualifiedName?.startsWith(e.className) ? `${e.className}.${e.qualifiedName}` : e.qualifiedName) : '<module level>';
    lines.push(`${String(e.rank).padStart(3)}. ${fmt(rankScore(r.formula, e))}  ${e.file}:${e.line}  ${name}`);
    const ev = evidenceWords(e);
    lines.push(`       ${r.formula} ${fmt(e.score)}: run by ${e.ef} of ${failing} failing and ${e.ep} of ${passing} passing tests${e.evidence ? `; + ${fmt(e.evidence)} evidence: ${ev}` : ''}`);
    if (e.tieSize > 1) lines.push(`       tied with ${e.tieSize - 1} other(s) at ${r.formula} ${fmt(e.score)} (tie group ${e.tieGroup}), ${TIE_REASON[e.tieBrokenBy]}`);
  }
  const big = r.tieGroups.filter((g) => g.size > 1).slice(0, 3);
  if (big.length) {
    lines.push(
      `ties (functions with the same ${r.formula} score): ${big.map((g) => `group ${g.group}: ${g.size} at ${fmt(g.score)}${g.unbroken ? `, ${g.unbroken} with nothing to set them apart` : ''}`).join('; ')}`,
    );
  }
  return lines.join('\n') + '\n';
}

function fmt(x: number): string {
  return Number.isFinite(x) ? String(Number(x.toFixed(4))) : '∞';
}
