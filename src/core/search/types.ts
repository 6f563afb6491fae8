// The search API's contract: typed results for the editor, rendered text for the model.
import type { FileRecord, SymbolKind } from '../index/types';

export type SearchApiName =
  | 'search_class'
  | 'search_class_in_file'
  | 'search_method'
  | 'search_method_in_class'
  | 'search_method_in_file'
  | 'search_code'
  | 'search_code_in_file'
  | 'get_code_around_line'
  | 'find_references';

export interface SearchHit {
  /** Path relative to the workspace root, forward slashes. */
  file: string;
  /** 1-based, inclusive span of `code`. */
  startLine: number;
  endLine: number;
  /** Enclosing (or defining) class, when there is one. */
  className?: string;
  /** The symbol hit (method/function/class name), or the enclosing function for code hits. */
  symbol?: string;
  /** `assignment`: a class-level `name = value` that Python's attribute lookup finds like a method. */
  kind?: SymbolKind | 'code' | 'call' | 'assignment';
  /** Raw source text (no line numbers; the renderer adds them): lines startLine..endLine, or the
   *  lines listed in `lineNumbers` when they are not contiguous (signature digests). */
  code: string;
  /** File line of each line of `code`, when not simply startLine, startLine+1, ... */
  lineNumbers?: number[];
  /** A shorter form (signature/header) the renderer uses when the full code does not fit the budget. */
  outline?: { code: string; lineNumbers: number[] };
  /** true when `code` is a signature digest (class header + member signatures), not the full text. */
  signatureOnly?: boolean;
  /** Symbol hits: the last line of the header (decorators and signature), and of the docstring. */
  headerEnd?: number;
  docEnd?: number;
  /** Lines of `code` that match (code/reference hits), 1-based file lines. */
  matchLines?: number[];
  /** Higher ranks first; informational. */
  score?: number;
  /** Extra context for the model, e.g. "inherited from Base (base.py:3)". */
  note?: string;
}

export interface SearchOutcome {
  api: SearchApiName;
  args: Record<string, unknown>;
  ok: boolean;
  /** Every hit, ranked; rendering decides what is shown in full. */
  hits: SearchHit[];
  /** Number of matches found (>= hits.length when a code search stopped materialising hits). */
  total: number;
  /** One summary line. */
  message: string;
  /** "Did you mean" names or paths when nothing matched. */
  suggestions?: string[];
  /** Set when the call itself was invalid (bad arguments, refused path, unknown api). */
  error?: string;
  /** Extra lines shown after the message (e.g. inheritance notes, truncation notes). */
  notes?: string[];
  /** search_code beyond its collection cap: files holding the matches that were counted, not collected. */
  otherFiles?: { file: string; matches: number }[];
}

/** What CodeSearch needs from the index; WorkspaceIndex satisfies it structurally. */
export interface SearchIndex {
  readonly root: string;
  files(): FileRecord[];
  getFile(relPath: string): FileRecord | undefined;
  readText(relPath: string): string | undefined;
}
