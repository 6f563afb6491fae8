// Edit targets and file reads named by a model are untrusted: they must stay inside the repository.
// Refused before the file system is touched: absolute paths, `..` out of the root, git's own folder
// (in any letter case), NUL and other control characters, Unicode direction and zero-width marks
// (a name that reads differently than it resolves), and URL-encoded names (`%2e%2e%2f` is `../` to
// anything that decodes it later). After resolution the real path is checked too (resolveInside).
import { realpath, stat } from 'node:fs/promises';
import { join, posix, sep } from 'node:path';

export type SafePath = { ok: true; rel: string } | { ok: false; error: string };

const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const INVISIBLE = /[\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/;
const URL_ESCAPE = /%[0-9a-fA-F]{2}/;

/** Normalises a model-given path to a repo-relative one, or refuses it (absolute, `..`, .git, odd characters). */
export function safeRelPath(raw: string): SafePath {
  if (raw.includes('\0')) return { ok: false, error: `Refused "${raw.replace(/\0/g, '\\0')}": the path contains a NUL character.` };
  const p = raw.trim().replace(/\\/g, '/');
  if (!p) return { ok: false, error: 'The file path is empty.' };
  if (CONTROL.test(p)) return { ok: false, error: `Refused ${JSON.stringify(raw)}: the path contains control characters.` };
  if (INVISIBLE.test(p)) return { ok: false, error: `Refused ${JSON.stringify(raw)}: the path contains invisible or text-direction characters; write the plain path.` };
  if (URL_ESCAPE.test(p)) return { ok: false, error: `Refused "${raw}": the path looks URL-encoded; write the plain path relative to the repository root.` };
  if (p.startsWith('/') || /^[a-zA-Z]:\//.test(p) || p.startsWith('~') || /^[a-z][a-z0-9+.-]*:\/\//i.test(p)) {
    return { ok: false, error: `Refused "${raw}": paths must be relative to the repository root (absolute paths are outside it).` };
  }
  const norm = posix.normalize(p);
  if (norm === '..' || norm.startsWith('../')) {
    return { ok: false, error: `Refused "${raw}": it points outside the repository.` };
  }
  if (norm === '.' || norm.endsWith('/')) return { ok: false, error: `"${raw}" is a folder, not a file.` };
  // ".git", ".GIT", ".git." and ".git " all name git's folder on some file system
  if (norm.split('/').some((seg) => /^\.git[. ]*$/i.test(seg))) return { ok: false, error: `Refused "${raw}": Rover does not read or edit git's own files.` };
  return { ok: true, rel: norm };
}

/**
 * The absolute real path of a model-given file inside `rootReal` (itself a real path), or why not:
 * the textual checks above, then symbolic links resolved and the result required to stay inside.
 */
export async function resolveInside(rootReal: string, raw: string): Promise<{ ok: true; rel: string; abs: string } | { ok: false; error: string }> {
  const safe = safeRelPath(raw);
  if (!safe.ok) return safe;
  let real: string;
  try {
    real = await realpath(join(rootReal, safe.rel));
  } catch {
    return { ok: false, error: `${safe.rel} does not exist.` };
  }
  if (real !== rootReal && !real.startsWith(rootReal + sep)) return { ok: false, error: `Refused "${raw}": it is a link to a place outside the repository.` };
  if (!(await stat(real)).isFile()) return { ok: false, error: `"${raw}" is not a file.` };
  return { ok: true, rel: safe.rel, abs: real };
}
