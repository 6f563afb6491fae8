// The index's data model. Everything here is plain data so it can cross worker threads and be
// written to the cache as JSON unchanged.

export type Lang =
  | 'python'
  | 'javascript'
  | 'typescript'
  | 'tsx'
  | 'java'
  | 'go'
  | 'rust'
  | 'csharp'
  | 'cpp';

export type SymbolKind =
  | 'class'
  | 'interface'
  | 'struct'
  | 'enum'
  | 'trait'
  | 'function'
  | 'method';

/** Kinds that can hold methods; search_class finds all of them. */
export const CLASS_LIKE: ReadonlySet<SymbolKind> = new Set(['class', 'interface', 'struct', 'enum', 'trait']);

export interface CodeSymbol {
  name: string;
  kind: SymbolKind;
  /** Dotted path inside the file: `Outer.Inner.method`, `func.inner`. Unique per file except for redefinitions. */
  qualifiedName: string;
  /** Nearest enclosing class-like symbol's name, for methods (ACR's "class" field). */
  className?: string;
  /** qualifiedName of the enclosing symbol (class or function), if any. */
  container?: string;
  /** 1-based, inclusive; includes decorators/attributes that belong to the definition. */
  startLine: number;
  endLine: number;
  /** Header text: from the first line of the definition up to where the body starts, trimmed. */
  signature: string;
  /**
   * Line on which the header ends, from the syntax tree: Python's `:`, the line of the body's `{`,
   * an arrow's `=>`. Decorators and every parameter line lie in startLine..headerEndLine.
   */
  headerEndLine?: number;
  /** Python: line on which the body's docstring ends. */
  docEndLine?: number;
  /**
   * Python classes: names bound by assignment directly in the class body (`_print_X = _print_Y`),
   * which attribute lookup finds before any base class's method of that name.
   */
  assigns?: ClassAssign[];
  /** Docstring or leading comment, without comment markers where easy. */
  doc?: string;
  /** Superclasses / implemented interfaces / embedded types, as written. */
  bases?: string[];
  decorators?: string[];
  async?: boolean;
  static?: boolean;
}

export interface ClassAssign {
  name: string;
  /** 1-based line of the assignment. */
  line: number;
  /** The assigned expression as written (whitespace squashed, clipped). */
  value: string;
}

export interface CallSite {
  /** The called name (last identifier of `a.b.c(...)`). */
  name: string;
  /** 1-based line and 1-based column (UTF-16 units) of the called name. */
  line: number;
  column: number;
  /** qualifiedName of the innermost enclosing symbol, if any. */
  container?: string;
}

export interface FileRecord {
  /** Path relative to the workspace root, with forward slashes. */
  path: string;
  lang: Lang;
  size: number;
  mtimeMs: number;
  symbols: CodeSymbol[];
  calls: CallSite[];
  /** true when tree-sitter recovered from syntax errors; what parsed is still indexed. */
  hasErrors: boolean;
  /** 1-based lines of the first few ERROR/MISSING nodes. */
  errorLines?: number[];
  /** Total line count of the file. */
  lines: number;
  /** Set when the file is not UTF-8 and was decoded as this encoding instead. */
  encoding?: 'utf-16le' | 'utf-16be' | 'latin1';
}

export interface IndexWarning {
  path: string;
  reason:
    | 'syntax-error'
    | 'not-utf8'
    | 'unreadable'
    | 'too-large'
    | 'binary'
    | 'symlink-loop'
    | 'symlink-outside'
    | 'cache-rebuilt'
    | 'parse-failed';
  message: string;
}

export interface IndexStats {
  files: number;
  bytes: number;
  languages: Record<string, number>;
  classes: number;
  functions: number;
  methods: number;
  filesWithErrors: number;
  cacheHits: number;
  cacheMisses: number;
  ms: number;
  warnings: number;
}

export interface IndexOptions {
  /** Extra gitignore-syntax patterns to skip. */
  exclude?: string[];
  /** Files larger than this are skipped with a warning. Default 1 MiB. */
  maxFileBytes?: number;
  /** Where the cache lives; default `<root>/.rover/index-cache.json` is NOT used: callers pass a dir outside the tree. */
  cacheDir?: string;
  /** Worker threads; default: available cores. 0 parses on the calling thread. */
  workers?: number;
  onWarning?: (w: IndexWarning) => void;
}
