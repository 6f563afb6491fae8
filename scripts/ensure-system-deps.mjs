#!/usr/bin/env node
// Installs the Debian packages in scripts/system-deps.mjs that this machine lacks. Run by `npm test`
// (its first step), `npm run setup` and `.ci/run`.
//   as root, with apt-get:  apt-get update + apt-get install -y of the missing ones
//   otherwise:              one line naming them and the command; exit 0 (the tests that need them
//                           are skipped and say so), or 1 with --strict (CI must not skip)
// ROVER_NO_APT=1 reports without installing.
import { spawnSync } from 'node:child_process';
import { SYSTEM_DEPS, installCommand, present } from './system-deps.mjs';

const strict = process.argv.includes('--strict');
const unknown = process.argv.slice(2).filter((a) => a !== '--strict');
if (unknown.length) {
  console.error(`ensure-system-deps: unknown argument(s) ${unknown.join(' ')}\nusage: node scripts/ensure-system-deps.mjs [--strict]`);
  process.exit(2);
}

const missing = SYSTEM_DEPS.filter((d) => !present(d));
if (missing.length === 0) process.exit(0);
const names = missing.map((d) => d.pkg);
const hasApt = spawnSync('apt-get', ['--version'], { stdio: 'ignore' }).status === 0;
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

function giveUp(why) {
  console.error(`rover: missing system packages: ${names.join(' ')} — ${why}`);
  for (const d of missing) console.error(`  ${d.pkg.padEnd(18)} ${d.for}`);
  if (!strict) console.error('  (the tests that need them are skipped and say so)');
  process.exit(strict ? 1 : 0);
}

if (!hasApt) giveUp('this machine has no apt-get: install their equivalents with its package manager');
if (!isRoot) giveUp(`install them with: ${installCommand(names)}`);
if (process.env.ROVER_NO_APT === '1') giveUp(`ROVER_NO_APT=1, not installing; install them with: ${installCommand(names)}`);

console.error(`rover: installing missing system packages: ${names.join(' ')}`);
const apt = (args) => spawnSync('apt-get', args, { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }, timeout: 30 * 60_000 });
const upd = apt(['update', '-qq']);
if (upd.status !== 0) console.error(`rover: apt-get update exited with ${upd.status ?? upd.signal}; trying the install anyway`);
const inst = apt(['install', '-y', '-qq', ...names]);
const still = missing.filter((d) => !present(d));
if (inst.status !== 0 || still.length) {
  console.error(`rover: apt-get install exited with ${inst.status ?? inst.signal}; still missing: ${still.map((d) => d.pkg).join(' ') || '(none)'}`);
  process.exit(strict || inst.status !== 0 ? 1 : 0);
}
console.error(`rover: installed ${names.join(' ')}`);
