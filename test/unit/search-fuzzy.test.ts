// "Did you mean" over a prepared pool must rank exactly as plain edit distance does: the character
// count bound it uses to skip most distance computations may never drop a near name.
import { describe, expect, it } from 'vitest';
import { closestNames, editDistance, NamePool } from '../../src/core/search/fuzzy';

function rng(seed: number): () => number {
  let s = seed;
  return () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 0x100000000);
}

describe('NamePool', () => {
  const rand = rng(7);
  const alphabet = 'abcdeprintDerivative_012';
  const word = (n: number) => Array.from({ length: n }, () => alphabet[Math.floor(rand() * alphabet.length)]).join('');
  const names = [...new Set(Array.from({ length: 3000 }, () => word(2 + Math.floor(rand() * 16))))];
  const pool = new NamePool(names);

  it('finds every name within the edit distance a query allows, in the same order as without the bound', () => {
    for (let t = 0; t < 60; t++) {
      // queries near a pool name (a few edits away) and unrelated ones
      const base = names[Math.floor(rand() * names.length)];
      const chars = base.split('');
      for (let e = 0; e < 1 + (t % 3); e++) chars[Math.floor(rand() * chars.length)] = alphabet[Math.floor(rand() * alphabet.length)];
      const q = t % 4 === 3 ? word(3 + (t % 12)) : chars.join('');
      const ql = q.toLowerCase();
      const maxD = ql.length <= 3 ? 1 : ql.length <= 8 ? 2 : Math.floor(ql.length / 3);
      const within = names.filter((n) => n !== q && editDistance(ql, n.toLowerCase(), maxD) <= maxD);
      const got = pool.closest(q, names.length);
      for (const n of within) expect(got, `${q} -> ${n}`).toContain(n);
      expect(closestNames(q, names, 10)).toEqual(got.slice(0, 10));
    }
  });

  it('keeps the ranking rules: case and separators first, then distance, then containment', () => {
    const p = new NamePool(['print_Derivative', 'printDerivative', '_print_Derivative_extra', 'Derivative', 'derivatve']);
    // squashed-equal first, then by distance, then names one contains in the other
    expect(p.closest('_print_Derivative', 5)).toEqual(['printDerivative', 'print_Derivative', '_print_Derivative_extra', 'Derivative']);
    expect(p.closest('Derivative', 2)).toEqual(['derivatve', 'printDerivative']);
  });
});
