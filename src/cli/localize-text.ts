// `rover localize`'s text output. The score printed is the one the list is ordered by (the SBFL
// score on a 0..1 scale plus the evidence), broken down on the line below it, and a tie is said in
// words: which functions share an SBFL score and what, if anything, put this one where it is.
import { unitScore } from '../core/localize/rank';
import type { Formula, LocalizationResult, RankedLocation } from '../core/localize/types';

const TIE_REASON: Record<RankedLocation['tieBrokenBy'], string> = {
  none: '',
  'test-support': 'test-support code (pytester, testutils) goes after the project\'s own code',
  stack: 'the failing tests\' tracebacks pass through one and not the other',
  issue: 'the issue points at one more (its traceback, a name it mentions, or its words in the code)',
  history: 'past commits whose messages read like the issue touched its file more',
  'test-name': 'its file is named like the failing test\'s file',
  lines: 'more of its lines have this score',
  unbroken: 'nothing sets them apart (same evidence); listed by path',
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
    if (e.tieSize > 1) lines.push(`       tied with ${e.tieSize - 1} other(s) at ${r.formula} ${fmt(e.score)} (tie group ${e.tieGroup}): ${TIE_REASON[e.tieBrokenBy]}`);
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
