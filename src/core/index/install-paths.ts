// Locates the project root at runtime. The same code runs bundled from <root>/dist/*.js (esbuild,
// CommonJS) and from <root>/src/core/index/*.ts under vitest, so we walk up from this module's folder
// until we meet the folder that holds package.json and grammars/.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Lang } from './types';

function moduleDir(): string {
  if (typeof __dirname === 'string') return __dirname;
  return dirname(fileURLToPath(import.meta.url));
}

let cachedRoot: string | undefined;

export function projectRoot(): string {
  if (cachedRoot) return cachedRoot;
  let dir = moduleDir();
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'grammars'))) {
      cachedRoot = dir;
      return dir;
    }
    const up = dirname(dir);
    if (up === dir) throw new Error(`Rover: cannot find the extension root (package.json + grammars/) above ${moduleDir()}`);
    dir = up;
  }
}

/** Where grammar .wasm files and queries/<lang>/tags.scm live at runtime. */
export function grammarsDir(): string {
  return join(projectRoot(), 'grammars');
}

// npm package file for each grammar: used when the build has not copied the wasm yet (tests run
// straight from the TS sources).
const PACKAGE_WASM: Record<Lang, string> = {
  python: 'tree-sitter-python/tree-sitter-python.wasm',
  javascript: 'tree-sitter-javascript/tree-sitter-javascript.wasm',
  typescript: 'tree-sitter-typescript/tree-sitter-typescript.wasm',
  tsx: 'tree-sitter-typescript/tree-sitter-tsx.wasm',
  java: 'tree-sitter-java/tree-sitter-java.wasm',
  go: 'tree-sitter-go/tree-sitter-go.wasm',
  rust: 'tree-sitter-rust/tree-sitter-rust.wasm',
  csharp: 'tree-sitter-c-sharp/tree-sitter-c_sharp.wasm',
  cpp: 'tree-sitter-cpp/tree-sitter-cpp.wasm',
};

export function grammarWasmPath(lang: Lang): string {
  const built = join(grammarsDir(), `${lang}.wasm`);
  if (existsSync(built)) return built;
  const fromPackage = join(projectRoot(), 'node_modules', PACKAGE_WASM[lang]);
  if (existsSync(fromPackage)) return fromPackage;
  throw new Error(`Rover: grammar for ${lang} not found (looked for ${built}); run the build`);
}

/** The query files compiled together for a language, in order. */
export function queryPaths(lang: Lang): string[] {
  // tsx shares the TypeScript query: the grammars differ only in JSX support.
  const dir = lang === 'tsx' ? 'typescript' : lang;
  const own = join(grammarsDir(), 'queries', dir, 'tags.scm');
  // JS and TS spell functions-bound-to-names and calls with the same nodes: one shared file
  const ecma = lang === 'javascript' || lang === 'typescript' || lang === 'tsx';
  return ecma ? [own, join(grammarsDir(), 'queries', 'ecma', 'shared.scm')] : [own];
}

export function runtimeWasmPath(): string {
  const built = join(projectRoot(), 'dist', 'tree-sitter.wasm');
  if (existsSync(built)) return built;
  const fromPackage = join(projectRoot(), 'node_modules', 'web-tree-sitter', 'tree-sitter.wasm');
  if (existsSync(fromPackage)) return fromPackage;
  throw new Error('Rover: tree-sitter.wasm not found; run the build');
}

export function builtWorkerPath(): string | undefined {
  return builtFile('parse-worker.js');
}

/** A file the build writes to dist/ (a worker, a test-process hook); undefined before a build. */
export function builtFile(name: string): string | undefined {
  const p = join(projectRoot(), 'dist', name);
  return existsSync(p) ? p : undefined;
}
