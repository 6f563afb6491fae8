// The search API as model tools: names and argument names as AutoCodeRover's, zod schemas the
// agent turns into JSON Schema. Order of `params` = positional order for the CLI and text calls.
import { z } from 'zod';
import type { SearchApiName } from './types';

export interface SearchApiSpec {
  name: SearchApiName;
  description: string;
  /** Argument names in positional order. */
  params: string[];
  /** How many leading params are required (default: all). */
  required?: number;
  schema: z.ZodObject<z.ZodRawShape>;
}

const className = z.string().min(1).describe('Class (or interface/struct/trait) name; `module.Class` is accepted.');
const methodName = z.string().min(1).describe('Method or function name; `Class.method` is accepted.');
const filePath = z
  .string()
  .min(1)
  .describe('Path relative to the workspace root; a suffix such as `models.py` matches `pkg/models.py`.');
const codeStr = z.string().min(1).describe('Literal text to find (not a regex); may span lines.');

export const SEARCH_API_SPECS: SearchApiSpec[] = [
  {
    name: 'search_class',
    description:
      'Find classes (also interfaces, structs, enums, traits) by name in the whole codebase. Returns each class signature: header, method signatures and class-level assignments, with file:line.',
    params: ['class_name'],
    schema: z.object({ class_name: className }),
  },
  {
    name: 'search_class_in_file',
    description: 'Find a class by name in one file. Returns the class code (full when it fits the budget, else its signature).',
    params: ['class_name', 'file_name'],
    schema: z.object({ class_name: className, file_name: filePath }),
  },
  {
    name: 'search_method',
    description: 'Find methods and functions by name in the whole codebase. Returns their code, best matches in full.',
    params: ['method_name'],
    schema: z.object({ method_name: methodName }),
  },
  {
    name: 'search_method_in_class',
    description:
      'Find a method in a class. If the class does not define it, the nearest base class that does is returned; overridden parent versions are mentioned.',
    params: ['method_name', 'class_name'],
    schema: z.object({ method_name: methodName, class_name: className }),
  },
  {
    name: 'search_method_in_file',
    description: 'Find methods and functions by name in one file. Returns their code.',
    params: ['method_name', 'file_path'],
    schema: z.object({ method_name: methodName, file_path: filePath }),
  },
  {
    name: 'search_code',
    description: 'Find a literal code snippet in the whole codebase. Returns each match with 3 lines of context and its enclosing class/function.',
    params: ['code_str'],
    schema: z.object({ code_str: codeStr }),
  },
  {
    name: 'search_code_in_file',
    description: 'Find a literal code snippet in one file. Returns each match with 3 lines of context and its enclosing class/function.',
    params: ['code_str', 'file_path'],
    schema: z.object({ code_str: codeStr, file_path: filePath }),
  },
  {
    name: 'get_code_around_line',
    description: 'Show the lines around a line of a file (line_number - window_size .. line_number + window_size).',
    params: ['file_path', 'line_number', 'window_size'],
    required: 2,
    schema: z.object({
      file_path: filePath,
      line_number: z.coerce.number().int().min(1).describe('1-based line number.'),
      window_size: z.coerce.number().int().min(0).max(500).optional().describe('Lines before and after (default 10).'),
    }),
  },
  {
    name: 'find_references',
    description: 'Find the call sites of a function or method name, grouped by the enclosing function/method.',
    params: ['name'],
    schema: z.object({ name: methodName }),
  },
];

export const SEARCH_API_NAMES: readonly SearchApiName[] = SEARCH_API_SPECS.map((s) => s.name);

export function specFor(name: string): SearchApiSpec | undefined {
  return SEARCH_API_SPECS.find((s) => s.name === name);
}
