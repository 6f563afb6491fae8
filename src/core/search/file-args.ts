// Resolving a file argument from the model or a user: relative to the workspace root, either slash,
// ACR-style case-insensitive suffix match. Anything absolute or escaping the root is refused before
// the file system is touched: the index's own file list is the only thing ever looked up.
import { closestNames } from './fuzzy';

export type FileArgResult =
  | { ok: true; files: string[] }
  | { ok: false; error: string; suggestions?: string[]; refused?: boolean };

/** `arg` as a root-relative path when it is an absolute path inside `root` (text only, no file system). */
function insideRoot(arg: string, root: string | undefined): string | undefined {
  if (!root) return undefined;
  const norm = (p: string) => p.trim().replace(/\\/g, '/').replace(/\/+$/, '');
  const a = norm(arg);
  const r = norm(root);
  if (!r) return undefined;
  // drive letters compare case-insensitively (C:/x and c:/x are one folder)
  const same = /^[a-zA-Z]:/.test(r) ? a.toLowerCase().startsWith(r.toLowerCase() + '/') : a.startsWith(r + '/');
  return same ? a.slice(r.length + 1) : undefined;
}

/** Normalises `arg` to a root-relative forward-slash path, or says why it is refused. */
export function normalizeFileArg(arg: string, root?: string): { path: string } | { error: string } {
  const raw = insideRoot(arg, root) ?? arg.trim();
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
 * Files the model may have meant by `arg`, best first: files sharing the most trailing path
 * segments with it (`site-packages/pylint/reporters/text.py` -> `pylint/reporters/text.py`, any
 * file named `text.py`), then files whose names are close to its name.
 */
export function fileSuggestions(arg: string, paths: readonly string[], limit = 8): string[] {
  const want = arg.trim().replace(/\\/g, '/').toLowerCase().split('/').filter((s) => s && s !== '.' && s !== '..' && s !== '~');
  const base = want[want.length - 1] ?? '';
  if (!base) return [];
  const shared = (p: string) => {
    const segs = p.toLowerCase().split('/');
    let n = 0;
    while (n < segs.length && n < want.length && segs[segs.length - 1 - n] === want[want.length - 1 - n]) n++;
    return n;
  };
  const sameName = paths
    .map((p) => ({ p, n: shared(p) }))
    .filter((x) => x.n > 0)
    .sort((a, b) => b.n - a.n || a.p.split('/').length - b.p.split('/').length || (a.p < b.p ? -1 : 1))
    .map((x) => x.p);
  const byBase = new Map<string, string[]>();
  for (const p of paths) {
    const b = p.slice(p.lastIndexOf('/') + 1).toLowerCase();
    const list = byBase.get(b);
    if (list) list.push(p);
    else byBase.set(b, [p]);
  }
  const near = closestNames(base, [...byBase.keys()], 5).flatMap((b) => byBase.get(b) ?? []);
  return [...new Set([...sameName, ...near])].slice(0, limit);
}

/**
 * Exact path, then case-insensitive exact, then suffix on a path-segment boundary, then (as ACR)
 * any case-insensitive suffix. Several hits are all returned; callers decide whether that is
 * ambiguous. `root` maps absolute paths inside the workspace to relative ones.
 */
export function resolveFileArg(arg: string, paths: readonly string[], root?: string): FileArgResult {
  const norm = normalizeFileArg(arg, root);
  if ('error' in norm) {
    const suggestions = fileSuggestions(arg, paths);
    return { ok: false, error: norm.error, refused: true, ...(suggestions.length ? { suggestions } : {}) };
  }
  const want = norm.path;
  if (paths.includes(want)) return { ok: true, files: [want] };
  const lower = want.toLowerCase();
  const ci = paths.filter((p) => p.toLowerCase() === lower);
  if (ci.length > 0) return { ok: true, files: ci };
  const seg = paths.filter((p) => p.toLowerCase().endsWith('/' + lower));
  if (seg.length > 0) return { ok: true, files: seg };
  const loose = paths.filter((p) => p.toLowerCase().endsWith(lower));
  if (loose.length > 0) return { ok: true, files: loose };
  return { ok: false, error: `Could not find file ${arg} in the codebase.`, suggestions: fileSuggestions(want, paths) };
}
