// Builds the extension, the CLI, the parse worker and the benchmarks into dist/, and copies the
// tree-sitter runtime and grammar .wasm files from their npm packages (never committed).
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(fileURLToPath(import.meta.url));
const production = process.argv.includes('--production');

// grammar package file -> name under grammars/
export const GRAMMARS = {
  'tree-sitter-python/tree-sitter-python.wasm': 'python.wasm',
  'tree-sitter-javascript/tree-sitter-javascript.wasm': 'javascript.wasm',
  'tree-sitter-typescript/tree-sitter-typescript.wasm': 'typescript.wasm',
  'tree-sitter-typescript/tree-sitter-tsx.wasm': 'tsx.wasm',
  'tree-sitter-java/tree-sitter-java.wasm': 'java.wasm',
  'tree-sitter-go/tree-sitter-go.wasm': 'go.wasm',
  'tree-sitter-rust/tree-sitter-rust.wasm': 'rust.wasm',
  'tree-sitter-c-sharp/tree-sitter-c_sharp.wasm': 'csharp.wasm',
  'tree-sitter-cpp/tree-sitter-cpp.wasm': 'cpp.wasm',
};

function copyWasm() {
  mkdirSync(join(root, 'grammars'), { recursive: true });
  mkdirSync(join(root, 'dist'), { recursive: true });
  for (const [from, to] of Object.entries(GRAMMARS)) {
    copyFileSync(join(root, 'node_modules', from), join(root, 'grammars', to));
  }
  copyFileSync(join(root, 'node_modules/web-tree-sitter/tree-sitter.wasm'), join(root, 'dist/tree-sitter.wasm'));
}

const entries = {
  extension: 'src/extension/extension.ts',
  cli: 'src/cli/main.ts',
  'parse-worker': 'src/core/index/parse-worker.ts',
  // loaded into the project's own mocha process by `rover localize`
  'istanbul-register': 'src/core/localize/istanbul-register.ts',
};
// benchmarks live in bench/<name>.ts and build to dist/bench-<name>.js
if (existsSync(join(root, 'bench'))) {
  for (const f of readdirSync(join(root, 'bench'))) {
    if (f.endsWith('.ts')) entries[`bench-${f.slice(0, -3)}`] = `bench/${f}`;
  }
}

copyWasm();
await build({
  entryPoints: entries,
  outdir: 'dist',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: !production,
  minify: production,
  // @babel/preset-typescript: only for babel config files written in TS, which istanbul never reads
  external: ['vscode', '@babel/preset-typescript'],
  logLevel: 'warning',
  // web-tree-sitter's ESM build reads import.meta.url; point it at the bundle's own file
  define: { 'import.meta.url': 'importMetaUrl' },
  banner: { js: "const importMetaUrl = require('url').pathToFileURL(__filename).href;" },
});
console.log(`built ${Object.keys(entries).length} entry points${production ? ' (production)' : ''}`);
