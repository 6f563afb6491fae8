// Loaded with `--require` into the project's own mocha process (built to dist/istanbul-register.js,
// self-contained). It instruments the project's CommonJS sources with istanbul as they are required,
// so a test's coverage is a few hundred counters to read and zero, not a V8 coverage report of
// every loaded script (node_modules included) serialized after every test. The per-test reading is
// done by the root hooks file (MOCHA_ISTANBUL_HOOKS in js-collect.ts); this module only instruments
// and, at exit, writes where each instrumented statement starts.
import { writeFileSync } from 'node:fs';
import { sep } from 'node:path';
import { createInstrumenter } from 'istanbul-lib-instrument';
import { addHook } from 'pirates';
import { realPathOr } from './real-path';

/** Global the instrumented code counts into; the root hooks read it by this name. */
export const COVERAGE_VARIABLE = '__rover_cov__';

interface FileCov {
  path: string;
  statementMap: Record<string, { start: { line: number; column: number } }>;
  s: Record<string, number>;
}

/**
 * istanbul obeys `istanbul ignore next|if|else|file` hints in comments; a bug in code marked so would
 * never be measured. Each hint's first letter is changed (same length: no line or column moves).
 */
export function disarmHints(code: string): string {
  if (!code.includes('istanbul')) return code;
  return code.replace(/(\/\*[\s\S]*?\*\/|\/\/[^\n]*)/g, (c) => c.replace(/istanbul(\s+ignore\b)/g, 'Istanbul$1'));
}

const given = process.env.ROVER_COV_ROOT;
const mapsOut = process.env.ROVER_COV_MAPS;
if (given && mapsOut) {
  // require reports real paths: a root reached through a link (macOS /var -> /private/var) must be too
  const root = realPathOr(given);
  const base = root.endsWith(sep) ? root : root + sep;
  // Windows paths compare without case
  const under = process.platform === 'win32' ? (f: string) => f.toLowerCase().startsWith(base.toLowerCase()) : (f: string) => f.startsWith(base);
  // tests are never ranked, so their files are left as they are (cheaper, and their lines unchanged)
  const isTest = (f: string) => /[\\/](tests?|__tests__|spec)[\\/]/.test(f.slice(base.length - 1)) || /\.(test|spec)\.[cm]?js$/.test(f);
  // retainLines keeps every statement on its own line number, so the stack of a failing test
  // still points at the project's lines (the failing tests' frames rank the suspects)
  const options = { coverageVariable: COVERAGE_VARIABLE, compact: false, generatorOpts: { retainLines: true }, produceSourceMap: false, autoWrap: true };
  // CommonJS parses as a script; a file that only parses as a module (import/export left for a
  // later require hook such as @babel/register to compile) is instrumented as one
  const asScript = createInstrumenter({ ...options, esModules: false });
  const asModule = createInstrumenter({ ...options, esModules: true });
  const failed: string[] = [];
  addHook(
    (code, filename) => {
      const armless = disarmHints(code);
      try {
        return asScript.instrumentSync(armless, filename);
      } catch {
        /* try it as a module */
      }
      try {
        return asModule.instrumentSync(armless, filename);
      } catch (e) {
        // syntax istanbul's parser does not know: the file runs unmeasured, and the collector says so
        failed.push(`${filename}: ${(e as Error).message.split('\n')[0]}`);
        return code;
      }
    },
    { exts: ['.js', '.cjs'], matcher: (f) => under(f) && !f.includes(`${sep}node_modules${sep}`) && !isTest(f), ignoreNodeModules: true },
  );
  // one file per process: `node --test` preloads this into its runner too, which must not clobber
  // what the test file's own process wrote (the runner instruments nothing and writes nothing)
  process.on('exit', () => {
    const cov = (globalThis as Record<string, unknown>)[COVERAGE_VARIABLE] as Record<string, FileCov> | undefined;
    const files: Record<string, [number, number][]> = {};
    for (const [f, c] of Object.entries(cov ?? {})) {
      const starts: [number, number][] = [];
      for (const [id, st] of Object.entries(c.statementMap)) starts[Number(id)] = [st.start.line, st.start.column];
      files[f] = starts;
    }
    if (Object.keys(files).length || failed.length) writeFileSync(`${mapsOut}.${process.pid}.json`, JSON.stringify({ files, failed }));
  });
}
