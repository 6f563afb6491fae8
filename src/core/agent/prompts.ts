// Rover's own instructions to the model (written for Rover; no AutoCodeRover prompt text).
import type { BugLocation } from './events';

export const RETRIEVE_SYSTEM = `You are Rover, a careful software engineer working in a code repository you cannot run.
A user filed the issue below. Your job in this phase is only to find the code that must change to resolve it.

How to work:
- Explore with the search tools. You may call several tools in one turn; independent lookups should go together.
- Start from names, messages and behaviour mentioned in the issue; follow calls and definitions until you understand the cause.
- Prefer the place where the wrong behaviour originates over places that merely observe it. Test files are rarely the right place.
- When you know where the fix belongs, call report_bug_locations once, with one entry per function, method or class to change
  (file path relative to the repository root, plus class and/or method when they apply) and, for each, the behaviour the code
  should have after the fix, in one or two concrete sentences.
- Do not write the patch yet.`;

export const PATCH_SYSTEM = `You are Rover, a careful software engineer. You fix the issue below by editing the code shown to you.

Write every change as an edit block in exactly this shape:

path/to/file.py
<<<<<<< SEARCH
the current lines, copied exactly (same indentation), enough of them to be unique in the file
=======
the lines that replace them
>>>>>>> REPLACE

Rules:
- The path line comes right before <<<<<<< SEARCH and is relative to the repository root.
- SEARCH must match the current file exactly; keep it short but unique (a few lines around the change).
- Several blocks are allowed, for one or several files, but never two blocks for the same lines. To create a new file, leave SEARCH empty; to delete one, write a line "DELETE FILE: path/to/file" instead of blocks (an edit that empties a file is refused).
- Make the smallest change that resolves the issue; keep the code style; do not touch tests unless asked.
- Briefly say what you change and why, then give the blocks.`;

export const REPORT_TOOL_DESCRIPTION =
  'Report where the bug is, ending the search. Give one entry per function/method/class that must change, with the behaviour it should have.';

export function repoSummary(files: { path: string; lang: string }[]): string {
  const langs = new Map<string, number>();
  const dirs = new Map<string, number>();
  for (const f of files) {
    langs.set(f.lang, (langs.get(f.lang) ?? 0) + 1);
    const top = f.path.includes('/') ? `${f.path.split('/')[0]}/` : '(root)';
    dirs.set(top, (dirs.get(top) ?? 0) + 1);
  }
  const fmt = (m: Map<string, number>, n: number) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([k, v]) => `${k} (${v})`)
      .join(', ');
  return `Repository: ${files.length} indexed source files. Languages: ${fmt(langs, 6) || 'none'}. Top-level folders: ${fmt(dirs, 12) || 'none'}.`;
}

export function localizationBlock(loc: { file: string; className?: string; method?: string; score: number; line?: number }[]): string {
  if (!loc.length) return '';
  const lines = loc.slice(0, 10).map((l, i) => {
    const name = [l.className, l.method].filter(Boolean).join('.') || '(file)';
    return `${i + 1}. ${l.file}${l.line ? `:${l.line}` : ''} ${name} — suspiciousness ${l.score.toFixed(3)}`;
  });
  return `\n\nFault localization from the failing tests' coverage (higher = more suspicious; a hint, not proof):\n${lines.join('\n')}`;
}

/** The kept reproduction test and how it fails: the stack it prints points at the code (ACR v2 does likewise). */
export function reproductionBlock(r: { file: string; content: string; output: string } | undefined): string {
  if (!r) return '';
  const out = r.output.trim().split('\n');
  const tail = out.length > 60 ? ['…', ...out.slice(-60)] : out;
  return `\n\nA test that reproduces the issue (it fails on the current code; it is not part of the repository):\n${r.file}\n\`\`\`\n${r.content.trim().slice(0, 6000)}\n\`\`\`\nIts failure:\n\`\`\`\n${tail.join('\n').slice(-6000)}\n\`\`\``;
}

export function retrieveUserMessage(issue: string, summary: string, localization: string): string {
  return `<issue>\n${issue.trim()}\n</issue>\n\n${summary}${localization}\n\nFind the code to change, then call report_bug_locations.`;
}

export function patchUserMessage(issue: string, locations: BugLocation[], code: Map<string, string>): string {
  const parts = locations.map((l, i) => {
    const name = [l.className, l.method].filter(Boolean).join('.');
    const head = `Location ${i + 1}: ${l.file}${name ? ` — ${name}` : ''} (lines ${l.startLine}-${l.endLine})`;
    const body = code.get(`${l.file}:${l.startLine}`) ?? '';
    return `${head}\nIntended behaviour: ${l.intendedBehavior || '(not stated)'}\n\`\`\`\n${body}\n\`\`\``;
  });
  return `<issue>\n${issue.trim()}\n</issue>\n\nThe code to change:\n\n${parts.join('\n\n')}\n\nWrite the edit blocks that fix the issue.`;
}
