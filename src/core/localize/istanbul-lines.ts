// From istanbul statement hits (ids per instrumented file, as the mocha hooks record them) to the
// repository lines they ran. A compiled file with a source map (TypeScript's out/*.js) is read back
// through it with convert-source-map + @jridgewell/trace-mapping, so lines land in the .ts sources.
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { originalPositionFor, TraceMap } from '@jridgewell/trace-mapping';
import convert from 'convert-source-map';
import { realPathOr } from './real-path';

/** Statement id -> where it starts: [line (1-based), column (0-based)], as istanbul numbers them. */
export type StatementStarts = Record<string, [number, number][]>;

type Place = { file: string; line: number } | undefined;

export class IstanbulLines {
  private readonly places = new Map<string, Place[]>();
  private readonly root: string;

  constructor(
    private readonly starts: StatementStarts,
    root: string,
  ) {
    // the instrumented files are named by their real paths
    this.root = realPathOr(root);
  }

  /** Repo-relative file -> sorted lines run, for one test's hits. */
  linesOf(hits: Record<string, number[]>): Record<string, number[]> {
    const out: Record<string, Set<number>> = {};
    for (const [abs, ids] of Object.entries(hits)) {
      const places = this.placesOf(abs);
      for (const id of ids) {
        const p = places[id];
        if (p) (out[p.file] ??= new Set()).add(p.line);
      }
    }
    const res: Record<string, number[]> = {};
    for (const [f, s] of Object.entries(out)) res[f] = [...s].sort((a, b) => a - b);
    return res;
  }

  /** Each statement of a file placed in the repository once (through its source map if it has one). */
  private placesOf(abs: string): Place[] {
    let places = this.places.get(abs);
    if (places) return places;
    const starts = this.starts[abs] ?? [];
    const map = sourceMapOf(abs);
    places = starts.map((st) => {
      if (!st) return undefined;
      if (!map) return this.inRepo(abs, st[0]);
      const o = originalPositionFor(map, { line: st[0], column: st[1] });
      if (o.source === null || o.line === null) return undefined;
      const src = o.source.startsWith('file:') ? fileURLToPath(o.source) : resolve(dirname(abs), o.source);
      return this.inRepo(src, o.line);
    });
    this.places.set(abs, places);
    return places;
  }

  private inRepo(abs: string, line: number): Place {
    const rel = relative(this.root, abs).split('\\').join('/');
    if (rel.startsWith('..') || isAbsolute(rel) || rel.split('/').includes('node_modules')) return undefined;
    return { file: rel, line };
  }
}

/** The file's source map (inline or a map file next to it); undefined when it has none or it is unreadable. */
function sourceMapOf(abs: string): TraceMap | undefined {
  try {
    const text = readFileSync(abs, 'utf8');
    const inline = convert.fromSource(text);
    // as URLs, so the map's relative sources resolve against it on every platform
    if (inline) return new TraceMap(inline.toObject(), pathToFileURL(abs).href);
    // a map file's sources are relative to the map, which need not sit beside the file
    let mapPath = abs;
    const file = convert.fromMapFileSource(text, (name) => readFileSync((mapPath = join(dirname(abs), name)), 'utf8'));
    if (file) return new TraceMap(file.toObject(), pathToFileURL(mapPath).href);
  } catch {
    // a map that cannot be read: the statements stay on the compiled file's lines
  }
  return undefined;
}
