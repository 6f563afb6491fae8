// JUnit XML (pytest --junitxml, mocha's xunit reporter, Rover's node:test reporter, surefire, gradle,
// go-junit-report, cargo2junit, ...). The id is "file::name" when the testcase says its file,
// "file::classname > name" when it also has a suite classname (mocha), else "classname::name".
import { isAbsolute, relative } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import type { TestFailure, TestStatus } from '../types';
import { putWorst, type ParsedResults } from './types';

type Node = Record<string, unknown>;

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  textNodeName: '#text',
  isArray: (name) => ['testsuite', 'testcase', 'failure', 'error', 'skipped'].includes(name),
  processEntities: true,
  htmlEntities: true,
});

function text(n: unknown): string {
  if (n == null) return '';
  if (typeof n === 'string' || typeof n === 'number') return String(n);
  const o = n as Node;
  const msg = o['@message'];
  const body = o['#text'];
  return [msg, body].filter((x) => x !== undefined && x !== '').map(String).join('\n');
}

export function parseJunit(xml: string, runDir?: string): ParsedResults {
  const results: Record<string, TestStatus> = {};
  const failures: TestFailure[] = [];
  if (!xml.trim()) return { results, failures };
  const doc = parser.parse(xml) as Node;
  const cases: Node[] = [];
  const walk = (n: unknown): void => {
    if (!n || typeof n !== 'object') return;
    if (Array.isArray(n)) return n.forEach(walk);
    const o = n as Node;
    for (const tc of (o.testcase as Node[] | undefined) ?? []) cases.push(tc);
    if (o.testsuites) walk(o.testsuites);
    if (o.testsuite) walk(o.testsuite);
  };
  walk(doc);
  for (const tc of cases) {
    const name = String(tc['@name'] ?? '');
    const classname = String(tc['@classname'] ?? '');
    let file = tc['@file'] !== undefined ? String(tc['@file']) : undefined;
    if (file && runDir && isAbsolute(file)) file = relative(runDir, file);
    if (file) file = file.split('\\').join('/');
    const id = file ? `${file}::${classname && classname !== 'test' ? `${classname} > ` : ''}${name}` : classname ? `${classname}::${name}` : name;
    let status: TestStatus = 'passed';
    let message = '';
    if ((tc.error as unknown[] | undefined)?.length) {
      status = 'error';
      message = text((tc.error as unknown[])[0]);
    } else if ((tc.failure as unknown[] | undefined)?.length) {
      status = 'failed';
      message = text((tc.failure as unknown[])[0]);
    } else if ((tc.skipped as unknown[] | undefined)?.length) {
      const sk = (tc.skipped as Node[])[0];
      status = typeof sk === 'object' && sk && String(sk['@type'] ?? '').includes('xfail') ? 'xfail' : 'skipped';
    }
    putWorst(results, id, status);
    if (status === 'failed' || status === 'error') {
      const line = tc['@line'] !== undefined ? Number(tc['@line']) : lineFrom(message, file);
      failures.push({ id, message: message.slice(0, 4000), ...(file ? { file } : {}), ...(line ? { line } : {}) });
    }
  }
  return { results, failures };
}

function lineFrom(message: string, file?: string): number | undefined {
  if (!file) return undefined;
  const base = file.split('/').pop()!;
  const m = new RegExp(`${base.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:(\\d+)`).exec(message);
  return m ? Number(m[1]) : undefined;
}
