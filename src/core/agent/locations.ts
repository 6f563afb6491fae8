// Bug locations named by the model, resolved against the index. Models misspell names and shorten
// paths; an exact hit is used as is, a near one is used and recorded as `nearest:<name>` so the user
// can see the guess, and a location that names nothing real is reported back to the model.
import { posix } from 'node:path';
import type { CodeSymbol, FileRecord } from '../index/types';
import { editDistance } from '../search/fuzzy';
import { safeRelPath } from './apply/safe-paths';
import type { BugLocation } from './events';

export interface ReportedLocation {
  file?: string;
  class?: string;
  method?: string;
  intended_behavior?: string;
}

export interface LocationIndex {
  files(): FileRecord[];
  getFile(rel: string): FileRecord | undefined;
}

export type Resolution = { ok: true; location: BugLocation } | { ok: false; error: string };

const lastPart = (s: string) => s.split(/[.:]+/).filter(Boolean).pop() ?? s;

export function resolveLocation(index: LocationIndex, loc: ReportedLocation): Resolution {
  const intendedBehavior = (loc.intended_behavior ?? '').trim();
  const cls = loc.class?.trim() ? lastPart(loc.class.trim()) : undefined;
  let method = loc.method?.trim() ? loc.method.trim() : undefined;
  let methodClass = cls;
  if (method && method.includes('.')) {
    const parts = method.split('.');
    method = parts.pop();
    methodClass ??= parts.pop();
  }
  let rec: FileRecord | undefined;
  let fileNote = '';
  if (loc.file?.trim()) {
    const safe = safeRelPath(loc.file);
    if (!safe.ok) return { ok: false, error: safe.error };
    rec = index.getFile(safe.rel);
    if (!rec) {
      const suffix = index.files().filter((f) => f.path.endsWith(`/${safe.rel}`));
      if (suffix.length === 1) rec = suffix[0];
      else {
        const base = posix.basename(safe.rel);
        const near = index
          .files()
          .map((f) => ({ f, d: editDistance(f.path, safe.rel, 4) }))
          .filter((x) => x.d <= 3)
          .sort((a, b) => a.d - b.d);
        if (near.length && (near.length === 1 || near[0].d < near[1].d)) {
          rec = near[0].f;
          fileNote = `nearest:${rec.path}`;
        } else if (!method && !cls) {
          const same = index.files().filter((f) => posix.basename(f.path) === base).map((f) => f.path);
          return { ok: false, error: `File "${loc.file}" is not in the repository${same.length ? ` (did you mean ${same.slice(0, 3).join(', ')}?)` : ''}.` };
        }
      }
    }
  }
  const candidates = rec ? [rec] : index.files();
  if (!method && !methodClass) {
    if (!rec) return { ok: false, error: 'A location needs at least a file, a class or a method.' };
    return { ok: true, location: { file: rec.path, startLine: 1, endLine: rec.lines, intendedBehavior, resolvedBy: fileNote || 'file' } };
  }
  const want = method ?? methodClass!;
  const kindOk = (s: CodeSymbol) => (method ? s.kind === 'method' || s.kind === 'function' : s.kind !== 'method' && s.kind !== 'function');
  const classOk = (s: CodeSymbol) => !method || !methodClass || s.className === methodClass;
  const pool: { rec: FileRecord; sym: CodeSymbol }[] = [];
  for (const r of candidates) for (const s of r.symbols) if (kindOk(s)) pool.push({ rec: r, sym: s });

  const exact = pool.filter((p) => p.sym.name === want && classOk(p.sym));
  let pick: { rec: FileRecord; sym: CodeSymbol } | undefined = exact[0];
  let how = fileNote || 'exact';
  if (!pick) {
    // Nearest: the right name in a different class, or a slightly different name in the right class.
    const sameName = pool.filter((p) => p.sym.name === want);
    if (sameName.length >= 1 && (rec || sameName.length === 1)) {
      pick = sameName[0];
    } else {
      // Both names may be slightly off: rank by method distance, then class distance.
      const limit = Math.max(2, Math.floor(want.length / 3));
      const classDist = (p: { sym: CodeSymbol }) =>
        method && methodClass ? (p.sym.className ? editDistance(p.sym.className.toLowerCase(), methodClass.toLowerCase(), 6) : 7) : 0;
      const scored = pool
        .map((p) => ({ p, d: editDistance(p.sym.name.toLowerCase(), want.toLowerCase(), limit), c: classDist(p) }))
        .filter((x) => x.d <= limit && x.c <= Math.max(2, Math.floor((methodClass?.length ?? 0) / 3)))
        .sort((a, b) => a.d + a.c - (b.d + b.c));
      pick = scored[0]?.p;
    }
    if (!pick) {
      const where = rec ? ` in ${rec.path}` : '';
      const names = [...new Set(pool.filter((p) => classOk(p.sym)).map((p) => p.sym.name))];
      const close = names
        .map((n) => ({ n, d: editDistance(n.toLowerCase(), want.toLowerCase(), 6) }))
        .sort((a, b) => a.d - b.d)
        .slice(0, 3)
        .map((x) => x.n);
      return {
        ok: false,
        error: `No ${method ? 'method/function' : 'class'} "${methodClass && method ? `${methodClass}.` : ''}${want}"${where}${close.length ? ` (closest names: ${close.join(', ')})` : ''}.`,
      };
    }
    how = `nearest:${pick.sym.qualifiedName}`;
  } else if (!rec) {
    how = exact.length === 1 ? 'exact' : `nearest:${pick.rec.path}:${pick.sym.qualifiedName}`;
  }
  return {
    ok: true,
    location: {
      file: pick.rec.path,
      className: method ? pick.sym.className : pick.sym.name,
      method: method ? pick.sym.name : undefined,
      startLine: pick.sym.startLine,
      endLine: pick.sym.endLine,
      intendedBehavior,
      resolvedBy: how,
    },
  };
}
