// Resolving a file argument from the model or a user: relative to the workspace root, either slash,
// ACR-style case-insensitive suffix match. Anything absolute or escaping the root is refused before
// the file system is touched: the index's own file list is the only thing ever looked up.
import { closestNames } from './fuzzy';

export type FileArgResult =
  | { ok: true; files: string[] }
  | { ok: false; error: string; suggestions?: string[]; refused?: boolean };

/** Normalises `arg` to a root-relative forward-slash path, or says why it is refused. */
export function normalizeFileArg(arg: string): { path: string } | { error: string } {
  const raw = arg.trim();
  if (raw === '') return { error: 'The file path is empty.' };
  if (raw.includes('\0')) return { error: 'The file path contains a NUL character.' };
  if (/^[a-zA-Z]:/.test(raw) || raw.startsWith('/') || raw.startsWith('\\') || raw.startsWith('~')) {
    return { error: `Refusing the absolute path "${arg}": give a path relative to the workspace root.` };
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(raw)) return { error: `Refusing "${arg}": give a path relative to the workspace root, not a URL.` };
  const parts: string[] = [];
  for (const seg of raw.replace(/\\/g, '/').split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      if (parts.length === 0) return { error: `Refusing "${arg}": it points outside the workspace root.` };
      parts.pop();
      continue;
    }
    parts.push(seg);
  }
  if (parts.length === 0) return { error: `"${arg}" names the workspace root, not a file.` };
  return { path: parts.join('/') };
}

/**
 * Exact path, then case-insensitive exact, then suffix on a path-segment boundary, then (as ACR)
 * any case-insensitive suffix. Several hits are all returned; callers decide whether that is ambiguous.
 */
export function resolveFileArg(arg: string, paths: readonly string[]): FileArgResult {
  const norm = normalizeFileArg(arg);
  if ('error' in norm) return { ok: false, error: norm.error, refused: true };
  const want = norm.path;
  if (paths.includes(want)) return { ok: true, files: [want] };
  const lower = want.toLowerCase();
  const ci = paths.filter((p) => p.toLowerCase() === lower);
  if (ci.length > 0) return { ok: true, files: ci };
  const seg = paths.filter((p) => p.toLowerCase().endsWith('/' + lower));
  if (seg.length > 0) return { ok: true, files: seg };
  const loose = paths.filter((p) => p.toLowerCase().endsWith(lower));
  if (loose.length > 0) return { ok: true, files: loose };
  const base = lower.slice(lower.lastIndexOf('/') + 1);
  const byBase = new Map<string, string[]>();
  for (const p of paths) {
    const b = p.slice(p.lastIndexOf('/') + 1).toLowerCase();
    const list = byBase.get(b);
    if (list) list.push(p);
    else byBase.set(b, [p]);
  }
  const near = closestNames(base, [...byBase.keys()], 5);
  const suggestions = near.flatMap((b) => byBase.get(b) ?? []).slice(0, 8);
  return { ok: false, error: `Could not find file ${arg} in the codebase.`, suggestions };
}
