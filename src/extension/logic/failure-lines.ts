// Where a failing test failed, as file:line for diagnostics: from the runner's structured failures
// when it gives them, else from the output (pytest's "path.py:12: AssertionError" lines, node/V8 stack
// frames) restricted to files inside the workspace.
import { isAbsolute, relative } from 'node:path';

export interface FailureInput {
  id: string;
  message: string;
  file?: string;
  line?: number;
}

export interface FailureSpot {
  rel: string;
  line: number; // 1-based
  message: string;
  testId: string;
}

const PYTEST_LINE = /^([^\s:][^:\n]*\.py):(\d+): (\w*(?:Error|Exception|Failed|Exit)\w*)/gm;
const V8_FRAME = /\(?((?:file:\/\/)?[^\s()]+\.[cm]?[jt]sx?):(\d+):(\d+)\)?/g;

function toRel(root: string, file: string): string | undefined {
  const f = file.replace(/^file:\/\//, '');
  const rel = isAbsolute(f) ? relative(root, f) : f;
  if (!rel || rel.startsWith('..') || isAbsolute(rel) || rel.includes('node_modules') || rel.startsWith('node:')) return undefined;
  return rel.split('\\').join('/');
}

function testFileOf(id: string): string | undefined {
  const i = id.indexOf('::');
  return i > 0 ? id.slice(0, i) : undefined;
}

export function failureSpots(root: string, failures: FailureInput[], output: string): FailureSpot[] {
  const spots: FailureSpot[] = [];
  for (const f of failures) {
    const firstLine = (f.message || 'Test failed').split('\n').find((l) => l.trim()) ?? 'Test failed';
    const message = `${f.id}: ${firstLine.trim()}`.slice(0, 500);
    if (f.file && f.line && f.line > 0) {
      const rel = toRel(root, f.file);
      if (rel) {
        spots.push({ rel, line: f.line, message, testId: f.id });
        continue;
      }
    }
    const spot = spotFromText(root, `${f.message}\n`, testFileOf(f.id)) ?? spotFromText(root, output, testFileOf(f.id), f.id);
    if (spot) spots.push({ ...spot, message, testId: f.id });
  }
  return spots;
}

/** The first location in `text` inside the test's own file (or any workspace file when unknown). */
function spotFromText(root: string, text: string, testFile?: string, nearId?: string): { rel: string; line: number } | undefined {
  let scope = text;
  if (nearId) {
    // prefer the section of the output about this test
    const name = nearId.split('::').pop() ?? nearId;
    const at = text.indexOf(name);
    if (at >= 0) scope = text.slice(at);
  }
  const candidates: { rel: string; line: number }[] = [];
  for (const m of scope.matchAll(PYTEST_LINE)) {
    const rel = toRel(root, m[1]);
    if (rel) candidates.push({ rel, line: Number(m[2]) });
  }
  for (const m of scope.matchAll(V8_FRAME)) {
    const rel = toRel(root, m[1]);
    if (rel) candidates.push({ rel, line: Number(m[2]) });
  }
  if (testFile) return candidates.find((c) => c.rel === testFile) ?? undefined;
  return candidates[0];
}
