// Python's own reading of things the search benchmark checks Rover against, from the python3 on the
// machine: where each def/class header ends (the tokenizer, so code of any Python version the
// tokenizer accepts), and ACR's logged tool results (Python tuple reprs, read with ast.literal_eval).
// Using Python itself keeps the benchmark's truth independent of tree-sitter and of our own parsing.
import { runProcess } from '../../src/core/proc/run';

const HEADERS_PY = String.raw`
import io, json, sys, tokenize
SKIP = {tokenize.NL, tokenize.COMMENT, tokenize.INDENT, tokenize.DEDENT}
def headers(src):
    out, logical, cur = [], [], []
    for t in tokenize.generate_tokens(io.StringIO(src).readline):
        if t.type in (tokenize.NEWLINE, tokenize.ENDMARKER):
            if cur: logical.append(cur)
            cur = []
        elif t.type not in SKIP:
            cur.append(t)
    pending = None
    for lt in logical:
        first = lt[0]
        if first.type == tokenize.OP and first.string == '@':
            pending = pending or first.start[0]
            continue
        k = 1 if first.string == 'async' and len(lt) > 1 else 0
        if lt[k].type == tokenize.NAME and lt[k].string in ('def', 'class'):
            depth = 0
            for t in lt[k + 1:]:
                if t.type != tokenize.OP: continue
                if t.string in '([{': depth += 1
                elif t.string in ')]}': depth -= 1
                elif t.string == ':' and depth == 0:
                    out.append([pending or lt[k].start[0], t.start[0]])
                    break
        pending = None
    return out
res = {}
for path in json.load(sys.stdin):
    try:
        with open(path, encoding='utf-8', errors='replace', newline='') as f:
            res[path] = headers(f.read())
    except Exception as e:
        res[path] = None
json.dump(res, sys.stdout)
`;

const REPRS_PY = String.raw`
import ast, json, sys
out = []
for line in json.load(sys.stdin):
    try:
        v = ast.literal_eval(line)
        out.append([str(v[0]), bool(v[-1])] if isinstance(v, tuple) and len(v) >= 2 else None)
    except Exception:
        out.append(None)
json.dump(out, sys.stdout)
`;

async function python(script: string, input: unknown): Promise<unknown> {
  const r = await runProcess('python3', ['-c', script], { cwd: '/', timeoutMs: 600_000, maxOutputBytes: 1 << 30, stdin: JSON.stringify(input) });
  if (r.code !== 0) throw new Error(`python3 failed (${r.code}): ${r.stderr.slice(0, 400)}`);
  return JSON.parse(r.stdout);
}

/** Per absolute path: [first line (decorators included), line of the header's closing `:`] of every def and class; null when Python could not tokenize the file. */
export async function pythonHeaders(paths: string[]): Promise<Map<string, [number, number][] | null>> {
  if (paths.length === 0) return new Map();
  const res = (await python(HEADERS_PY, paths)) as Record<string, [number, number][] | null>;
  return new Map(Object.entries(res));
}

/** ACR's `Result of dispatch_intent: (text, summary, ok)` reprs -> [text, ok] (null when unreadable). */
export async function pythonToolResults(reprs: string[]): Promise<([string, boolean] | null)[]> {
  if (reprs.length === 0) return [];
  return (await python(REPRS_PY, reprs)) as ([string, boolean] | null)[];
}
