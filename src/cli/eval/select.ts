// The options `rover eval` and `rover batch` share to say what to run: the instances file, which of
// its instances, the mode and (mode patch) the predictions; read and checked once, with errors that
// name the file and line.
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { CliError } from '../args';
import { EVAL_MODES, type EvalMode } from './instance';
import { loadInstances, loadPredictions, type Instance } from '../../../bench/lib/swebench';

export const SELECT_OPTIONS = {
  instances: { type: 'string' },
  ids: { type: 'string', multiple: true },
  'ids-file': { type: 'string' },
  mode: { type: 'string' },
  patches: { type: 'string' },
} as const;

export interface Selection {
  instancesFile: string;
  all: Map<string, Instance>;
  /** The chosen ids, in order, each once. */
  ids: string[];
  mode: EvalMode;
  preds?: Map<string, string>;
}

export async function selectInstances(values: { instances?: string; ids?: string[]; 'ids-file'?: string; mode?: string; patches?: string }, usage: string): Promise<Selection> {
  if (!values.instances) throw new CliError(`--instances is required\nusage: rover ${usage}`);
  const mode = (values.mode ?? 'gold') as EvalMode;
  if (!EVAL_MODES.includes(mode)) throw new CliError(`--mode must be gold, patch or fix (got "${values.mode}")`);
  if (mode === 'patch' && !values.patches) throw new CliError('--mode patch needs --patches FILE (JSON lines of {instance_id, model_patch})');
  const instancesFile = resolve(values.instances);
  const all = await loadInstances(instancesFile).catch((e: Error) => { throw new CliError(e.message); });
  let ids = (values.ids ?? []).flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean);
  if (values['ids-file']) {
    const text = await readFile(resolve(values['ids-file']), 'utf8').catch((e: Error) => { throw new CliError(`cannot read --ids-file: ${e.message}`); });
    ids.push(...text.split(/\s+/).filter(Boolean));
  }
  if (ids.length === 0) ids = [...all.keys()];
  ids = [...new Set(ids)];
  const unknown = ids.filter((i) => !all.has(i));
  if (unknown.length) throw new CliError(`unknown instance id(s) in ${instancesFile}: ${unknown.join(', ')}`);
  const preds = values.patches ? await loadPredictions(resolve(values.patches)).catch((e: Error) => { throw new CliError(e.message); }) : undefined;
  return { instancesFile, all, ids, mode, preds };
}
