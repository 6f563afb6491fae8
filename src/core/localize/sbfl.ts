// Spectrum-based suspiciousness. ef/ep: failing/passing tests covering the line; nf/np: those that don't.
import type { Formula, LineSpectrum, TestCoverage } from './types';

export function suspiciousness(f: Formula, s: { ef: number; ep: number; nf: number; np: number }): number {
  const { ef, ep, nf, np } = s;
  const totalF = ef + nf;
  const totalP = ep + np;
  switch (f) {
    case 'ochiai': {
      const d = Math.sqrt(totalF * (ef + ep));
      return d === 0 ? 0 : ef / d;
    }
    case 'dstar': {
      // D* with * = 2; a line only failing tests cover (ep = nf = 0) is infinitely suspicious
      const d = ep + nf;
      if (ef === 0) return 0;
      return d === 0 ? Number.POSITIVE_INFINITY : (ef * ef) / d;
    }
    case 'tarantula': {
      if (ef === 0) return 0;
      const fr = totalF === 0 ? 0 : ef / totalF;
      const pr = totalP === 0 ? 0 : ep / totalP;
      return fr + pr === 0 ? 0 : fr / (fr + pr);
    }
  }
}

/** file -> line -> ef/ep, from per-test coverage and the failing set. */
export function lineSpectra(tests: Iterable<TestCoverage>, failing: ReadonlySet<string>): Map<string, Map<number, LineSpectrum>> {
  const out = new Map<string, Map<number, LineSpectrum>>();
  for (const t of tests) {
    const failed = failing.has(t.id);
    for (const [file, lines] of Object.entries(t.files)) {
      let m = out.get(file);
      if (!m) out.set(file, (m = new Map()));
      for (const l of new Set(lines)) {
        let s = m.get(l);
        if (!s) m.set(l, (s = { ef: 0, ep: 0 }));
        if (failed) s.ef++;
        else s.ep++;
      }
    }
  }
  return out;
}
