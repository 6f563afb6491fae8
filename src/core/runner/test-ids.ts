// Matching the test ids a caller gives to the ids a run produced. One grammar (runner/types.ts):
// pytest node ids, `file::outer > inner > test` for node/mocha/jest/vitest, sympy's bare names.
// Also accepted, because users and benchmarks write them: unittest dotted ids, a parametrized test
// without its parameter, mocha's own full title ("outer inner test", the space-joined titles, with
// or without the file), and `outer > inner > test` without the file.

/** SWE-bench's pytest_options rule: a parameter that is an absolute path keeps only its last part. */
export function normalizeTestId(id: string): string {
  const m = /^(.*?)\[(.*)\]$/s.exec(id);
  if (!m) return id;
  let opt = m[2];
  if (opt.startsWith('/') && !opt.startsWith('//') && !opt.includes('*')) opt = '/' + opt.split('/').pop();
  return `${m[1]}[${opt}]`;
}

function lastSegment(id: string): string {
  const noParam = id.replace(/\[.*\]$/s, '');
  const parts = noParam.split(/::|\./);
  return parts[parts.length - 1];
}

/** The title part of an id (after the file), titles joined by spaces as mocha's fullTitle() does. */
function looseTitle(id: string): string {
  const i = id.indexOf('::');
  return (i > 0 && /\.[cm]?[jt]sx?$/.test(id.slice(0, i)) ? id.slice(i + 2) : id).split(' > ').join(' ').trim();
}

const JS_FILE = /^[^:]*\.[cm]?[jt]sx?::/;

/** For each requested id, the produced ids it stands for (several when a bare name matches a parametrized test). */
export function matchTestIds(requested: string[], produced: Iterable<string>): Map<string, string[]> {
  const all = [...produced];
  const exact = new Map<string, string>();
  for (const p of all) exact.set(normalizeTestId(p), p);
  // JS ids by their titles alone: a request in mocha's full-title form, or without the file
  const byTitle = new Map<string, string[]>();
  for (const p of all) {
    if (!JS_FILE.test(p) && !p.includes(' > ')) continue;
    const k = looseTitle(p);
    byTitle.set(k, [...(byTitle.get(k) ?? []), p]);
  }
  const out = new Map<string, string[]>();
  for (const r of requested) {
    const hit = exact.get(normalizeTestId(r));
    if (hit) {
      out.set(r, [hit]);
      continue;
    }
    const file = JS_FILE.test(r) ? testFileOf(r) : undefined;
    const titled = (byTitle.get(looseTitle(r)) ?? []).filter((p) => !file || testFileOf(p) === file.replace(/^\.\//, ''));
    if (titled.length) {
      out.set(r, titled);
      continue;
    }
    let found: string[] = [];
    if (!r.includes('::')) {
      if (r.includes('.') && !r.includes('/') && !r.includes(' ')) {
        // unittest: pkg.module.Class.test -> module path + Class + test
        const segs = r.split('.');
        const tail = segs.slice(-2).join('::');
        const mod = segs.slice(0, -2).join('/');
        found = all.filter((p) => p.endsWith('::' + tail) && (mod === '' || p.replace(/\.py::.*$/, '').endsWith(mod)));
        if (found.length === 0) found = all.filter((p) => p.endsWith('::' + segs[segs.length - 1]));
      } else {
        // sympy-style bare function name
        found = all.filter((p) => lastSegment(p) === r);
      }
    } else {
      // a parametrized test given without its parameter, or node's nested "outer > inner"
      const base = r.replace(/\[.*\]$/s, '');
      found = all.filter((p) => p.replace(/\[.*\]$/s, '') === base || p.endsWith(' > ' + r.split('::').pop()));
    }
    if (found.length > 0) out.set(r, found);
  }
  return out;
}

const words = (s: string) => new Set(s.toLowerCase().split(/[^a-z0-9]+/).filter(Boolean));

/** "Did you mean": up to `limit` produced ids that share most words with `requested`, best first. */
export function suggestTestIds(requested: string, produced: Iterable<string>, limit = 3): string[] {
  const want = words(requested);
  if (want.size === 0) return [];
  const scored: { id: string; score: number }[] = [];
  for (const p of produced) {
    const have = words(p);
    let shared = 0;
    for (const w of want) if (have.has(w)) shared++;
    const score = shared / Math.max(want.size, have.size);
    if (score >= 0.4) scored.push({ id: p, score });
  }
  return scored.sort((a, b) => b.score - a.score || a.id.localeCompare(b.id)).slice(0, limit).map((s) => s.id);
}

/** "X (did you mean A or B?)" for requested ids nothing matched. */
export function withSuggestions(missing: string[], produced: Iterable<string>): string {
  const pool = [...produced];
  return missing
    .map((m) => {
      const near = suggestTestIds(m, pool);
      return near.length ? `${m} (did you mean ${near.map((n) => `"${n}"`).join(' or ')}?)` : m;
    })
    .join(', ');
}

/** The file part of a test id (`tests/test_x.py::t` -> `tests/test_x.py`); undefined for bare names. */
export function testFileOf(id: string): string | undefined {
  const i = id.indexOf('::');
  return i > 0 ? id.slice(0, i) : undefined;
}

/** A test's file: the one it recorded, else the one its id names. */
export function fileOfTest(t: { id: string; file?: string }): string | undefined {
  return t.file ?? testFileOf(t.id);
}

/** The reported ids a requested id stands for: itself, or every test under a file/class/suite prefix. */
export function expandTestId(id: string, reported: Iterable<string>): string[] {
  const all = [...reported];
  if (all.includes(id)) return [id];
  const prefix = id.replace(/\/+$/, '');
  return all.filter((r) => r.startsWith(`${prefix}::`) || r.startsWith(`${prefix} > `) || (r.startsWith(`${prefix}/`) && r.includes('::')));
}
