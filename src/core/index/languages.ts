import type { Lang } from './types';

const BY_EXTENSION: Record<string, Lang> = {
  py: 'python',
  pyi: 'python',
  js: 'javascript',
  mjs: 'javascript',
  cjs: 'javascript',
  jsx: 'javascript',
  ts: 'typescript',
  mts: 'typescript',
  cts: 'typescript',
  tsx: 'tsx',
  java: 'java',
  go: 'go',
  rs: 'rust',
  cs: 'csharp',
  cpp: 'cpp',
  cc: 'cpp',
  cxx: 'cpp',
  'c++': 'cpp',
  hpp: 'cpp',
  hh: 'cpp',
  hxx: 'cpp',
  h: 'cpp',
  c: 'cpp',
};

export const ALL_LANGS: readonly Lang[] = ['python', 'javascript', 'typescript', 'tsx', 'java', 'go', 'rust', 'csharp', 'cpp'];

export function languageForPath(path: string): Lang | undefined {
  const base = path.slice(path.lastIndexOf('/') + 1);
  const dot = base.lastIndexOf('.');
  if (dot <= 0) return undefined;
  // `.d.ts` files are declarations: indexed as TypeScript like any .ts
  return BY_EXTENSION[base.slice(dot + 1).toLowerCase()];
}
