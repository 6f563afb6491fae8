// Edit targets and file reads named by a model are untrusted: they must stay inside the repository.
import { posix } from 'node:path';

export type SafePath = { ok: true; rel: string } | { ok: false; error: string };

/** Normalises a model-given path to a repo-relative one, or refuses it (absolute, `..`, .git). */
export function safeRelPath(raw: string): SafePath {
  const p = raw.trim().replace(/\\/g, '/');
  if (!p) return { ok: false, error: 'The file path is empty.' };
  if (p.startsWith('/') || /^[a-zA-Z]:\//.test(p) || p.startsWith('~')) {
    return { ok: false, error: `Refused "${raw}": paths must be relative to the repository root (absolute paths are outside it).` };
  }
  if (p.includes('\0')) return { ok: false, error: `Refused "${raw}": the path contains a NUL character.` };
  const norm = posix.normalize(p);
  if (norm === '..' || norm.startsWith('../')) {
    return { ok: false, error: `Refused "${raw}": it points outside the repository.` };
  }
  if (norm === '.' || norm.endsWith('/')) return { ok: false, error: `"${raw}" is a folder, not a file.` };
  if (norm.split('/').includes('.git')) return { ok: false, error: `Refused "${raw}": Rover does not read or edit git's own files.` };
  return { ok: true, rel: norm };
}
