import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { runtimeFor } from '../src/core/index/ts-runtime';
import { extractTree } from '../src/core/index/extract';
import { encodeFile } from '../src/core/index/cache-codec';
async function main() {
  const dir = process.argv[2];
  const files = execFileSync('git', ['-C', dir, 'ls-files', '*.py'], { encoding: 'utf8', maxBuffer: 1e8 }).trim().split('\n');
  const rt = await runtimeFor('python');
  let tParse = 0, tQuery = 0, tExtract = 0, tEnc = 0, bytes = 0;
  const texts = files.map((f) => readFileSync(`${dir}/${f}`, 'utf8'));
  for (let i = 0; i < files.length; i++) {
    const text = texts[i]; bytes += text.length;
    let t = performance.now();
    const tree = rt.parser.parse(text)!;
    tParse += performance.now() - t; t = performance.now();
    const m = rt.query.matches(tree.rootNode);
    tQuery += performance.now() - t; t = performance.now();
    const rec = extractTree(rt, tree, text, files[i]);
    tExtract += performance.now() - t; t = performance.now();
    JSON.stringify(encodeFile(rec));
    tEnc += performance.now() - t;
    tree.delete();
  }
  console.log({ files: files.length, mb: bytes / 1e6, tParse, tQuery, tExtractInclQuery: tExtract, tEnc });
}
main();
