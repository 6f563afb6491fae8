// Matching the test ids a caller gives (pytest node ids, sympy's bare names, unittest dotted ids,
// node's file::name) to the ids a coverage run produced.

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

/** For each requested id, the produced ids it stands for (several when a bare name matches a parametrized test). */
export function matchTestIds(requested: string[], produced: Iterable<string>): Map<string, string[]> {
  const all = [...produced];
  const exact = new Map<string, string>();
  for (const p of all) exact.set(normalizeTestId(p), p);
  const out = new Map<string, string[]>();
  for (const r of requested) {
    const hit = exact.get(normalizeTestId(r));
    if (hit) {
      out.set(r, [hit]);
      continue;
    }
    let found: string[] = [];
    if (!r.includes('::')) {
      if (r.includes('.') && !r.includes('/')) {
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

/** The file part of a test id (`tests/test_x.py::t` -> `tests/test_x.py`); undefined for bare names. */
export function testFileOf(id: string): string | undefined {
  const i = id.indexOf('::');
  return i > 0 ? id.slice(0, i) : undefined;
}

/** A test's file: the one it recorded, else the one its id names. */
export function fileOfTest(t: { id: string; file?: string }): string | undefined {
  return t.file ?? testFileOf(t.id);
}
