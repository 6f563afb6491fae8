import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runProcess, CommandNotFoundError } from '../../src/core/proc/run';

/** A killed process whose parent died may linger as a zombie until PID 1 reaps it; that is not running. */
function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^\d+ \(.*\) [ZX]/.test(stat);
  } catch {
    return false;
  }
}

describe('runProcess', () => {
  it('captures output and exit code of an argument-array command', async () => {
    const r = await runProcess('node', ['-e', 'console.log("a b"); console.error("e"); process.exit(3)'], { cwd: process.cwd() });
    expect(r.code).toBe(3);
    expect(r.stdout.trim()).toBe('a b');
    expect(r.stderr.trim()).toBe('e');
    expect(r.timedOut).toBe(false);
  });

  it('does not interpret shell syntax in arguments', async () => {
    const r = await runProcess('node', ['-e', 'console.log(process.argv[1])', '$(echo pwned); ls'], { cwd: process.cwd() });
    expect(r.stdout.trim()).toBe('$(echo pwned); ls');
  });

  it('kills the whole process group on timeout, grandchildren included', async () => {
    const script = `
      const { spawn } = require('child_process');
      const c = spawn(process.execPath, ['-e', 'setInterval(()=>{}, 1000)'], { stdio: 'ignore' });
      console.log(c.pid);
      setInterval(() => {}, 1000);`;
    const r = await runProcess('node', ['-e', script], { cwd: process.cwd(), timeoutMs: 800, killGraceMs: 200 });
    expect(r.timedOut).toBe(true);
    const grandchild = Number(r.stdout.trim());
    await new Promise((res) => setTimeout(res, 300));
    expect(isRunning(grandchild)).toBe(false);
  });

  it('caps captured output and keeps head and tail', async () => {
    const r = await runProcess('node', ['-e', 'process.stdout.write("S" + "x".repeat(500000) + "E")'], { cwd: process.cwd(), maxOutputBytes: 1000 });
    expect(r.truncated).toBe(true);
    expect(r.stdout.startsWith('S')).toBe(true);
    expect(r.stdout.endsWith('E')).toBe(true);
    expect(r.stdout.length).toBeLessThan(1200);
  });

  it('names a missing interpreter', async () => {
    await expect(runProcess('no-such-interpreter-xyz', [], { cwd: process.cwd() })).rejects.toBeInstanceOf(CommandNotFoundError);
  });

  it('stops on abort', async () => {
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 200);
    const r = await runProcess('node', ['-e', 'setInterval(()=>{},1000)'], { cwd: process.cwd(), signal: ac.signal, killGraceMs: 100 });
    expect(r.cancelled).toBe(true);
  });
});
