import { WorkspaceIndex } from '../src/core/index/workspace-index';
import { CodeSearch } from '../src/core/search/code-search';
import { renderOutcome } from '../src/core/search/render';
async function main() {
  const idx = await WorkspaceIndex.open(process.argv[2], {});
  const search = new CodeSearch(idx);
  search.warm();
  const files = idx.files();
  const withText = files.filter((f) => f.lines > 5);
  let seed = 7; const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  const rows: [number, string, number][] = [];
  for (let i = 0; i < 400; i++) {
    const f = withText[Math.floor(rand() * withText.length)];
    const lines = search.getCodeAroundLine(f.path, 1, 100000).hits[0]?.code.split('\n') ?? [];
    const line = (lines[Math.floor(rand() * lines.length)] ?? '').trim();
    if (line.length < 8) continue;
    const q = line.slice(0, 40);
    const t = performance.now();
    const out = search.searchCode(q);
    const t1 = performance.now();
    const txt = renderOutcome(out);
    const t2 = performance.now();
    rows.push([t2 - t, `${(t1 - t).toFixed(2)} search + ${(t2 - t1).toFixed(2)} render  hits=${(out as any).total ?? (out as any).hits?.length}  ${JSON.stringify(q)}`, 0]);
  }
  rows.sort((a, b) => b[0] - a[0]);
  const p95 = rows[Math.floor(rows.length * 0.05)][0];
  console.log('n', rows.length, 'p95', p95.toFixed(2));
  for (const r of rows.slice(0, 15)) console.log(r[0].toFixed(2), r[1]);
  await idx.close();
}
if (process.argv[3]) again(process.argv[2], process.argv.slice(3)); else main();
export async function again(root: string, qs: string[]) {
  const idx = await WorkspaceIndex.open(root, {});
  const search = new CodeSearch(idx);
  search.warm();
  for (const q of qs) {
    const ts: number[] = [];
    for (let i = 0; i < 5; i++) { const t = performance.now(); search.searchCode(q); ts.push(performance.now() - t); }
    console.log(ts.map((x) => x.toFixed(2)).join(' '), JSON.stringify(q));
  }
  await idx.close();
}
