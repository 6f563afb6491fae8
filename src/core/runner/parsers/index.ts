export { parsePytestRA } from './pytest-ra';
export { parseJunit } from './junit';
export { parseTap, parseTapTests, tapUnescape, type TapTest } from './tap';
export { parseJestJson } from './jest-json';
export { parseSympy } from './sympy';
export type { ParsedResults } from './types';
