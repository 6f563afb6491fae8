// rover fix --repo DIR --issue FILE|- [--provider anthropic|openai] [--model M] [--base-url U] [--out patch.diff]
//           [--trajectory t.json] [--budget USD] [--candidates N] [--max-rounds N] [--predictions out.jsonl --instance-id ID] [--json]
// Runs the agent on an issue and writes the patch (stdout unless --out). Progress goes to stderr.
// The API key comes from the environment only and is never printed.
import { appendFile, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { CliError, parse } from '../args';
import { runFixPipeline } from '../../core/agent/pipeline';
import type { AgentEvent } from '../../core/agent/events';
import { createProvider, type ProviderId } from '../../core/llm';

const USAGE =
  'fix --repo DIR --issue FILE|- [--provider anthropic|openai] [--model M] [--base-url URL] [--out patch.diff] [--trajectory t.json] [--budget USD] [--candidates N] [--max-rounds N] [--predictions out.jsonl --instance-id ID] [--validate] [--json] [--quiet]';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function positiveInt(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new CliError(`--${name} must be a positive integer, got "${v}"`);
  return n;
}

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parse(
    argv,
    {
      repo: { type: 'string' },
      issue: { type: 'string' },
      provider: { type: 'string' },
      model: { type: 'string' },
      'base-url': { type: 'string' },
      out: { type: 'string' },
      trajectory: { type: 'string' },
      budget: { type: 'string' },
      candidates: { type: 'string' },
      'max-rounds': { type: 'string' },
      predictions: { type: 'string' },
      'instance-id': { type: 'string' },
      validate: { type: 'boolean' },
      json: { type: 'boolean' },
      quiet: { type: 'boolean' },
    },
    USAGE,
  );
  if (positionals.length) throw new CliError(`unexpected argument "${positionals[0]}"\nusage: rover ${USAGE}`);
  if (!values.repo) throw new CliError(`--repo is required\nusage: rover ${USAGE}`);
  if (!values.issue) throw new CliError(`--issue is required (a file with the issue text, or - for stdin)\nusage: rover ${USAGE}`);
  if (values.predictions && !values['instance-id']) throw new CliError('--predictions needs --instance-id (the SWE-bench instance id of this issue)');
  const providerId = (values.provider ?? 'anthropic') as ProviderId;
  if (providerId !== 'anthropic' && providerId !== 'openai') throw new CliError(`--provider must be "anthropic" or "openai", got "${values.provider}"`);
  let budgetUsd: number | undefined;
  if (values.budget !== undefined) {
    budgetUsd = Number(values.budget);
    if (!Number.isFinite(budgetUsd) || budgetUsd <= 0) throw new CliError(`--budget must be a positive number of US dollars, got "${values.budget}"`);
  }
  const candidates = positiveInt('candidates', values.candidates);
  const maxRounds = positiveInt('max-rounds', values['max-rounds']);

  const repo = resolve(values.repo);
  const st = await stat(repo).catch(() => undefined);
  if (!st?.isDirectory()) throw new CliError(`--repo ${values.repo} is not a folder`);
  let issue: string;
  try {
    issue = values.issue === '-' ? await readStdin() : await readFile(resolve(values.issue), 'utf8');
  } catch (e) {
    throw new CliError(`cannot read the issue ${values.issue}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  if (!issue.trim()) throw new CliError(`the issue ${values.issue === '-' ? '(stdin)' : values.issue} is empty`);

  const keyVar = providerId === 'anthropic' ? 'ANTHROPIC_API_KEY' : 'OPENAI_API_KEY';
  const apiKey = process.env[keyVar] ?? '';
  const baseUrl = values['base-url'] ?? (providerId === 'openai' ? process.env.OPENAI_BASE_URL : process.env.ANTHROPIC_BASE_URL) ?? undefined;
  if (!apiKey && !(providerId === 'openai' && baseUrl)) {
    throw new CliError(
      providerId === 'anthropic'
        ? 'no API key: set the ANTHROPIC_API_KEY environment variable (or use --provider openai with OPENAI_API_KEY or a local --base-url)'
        : 'no API key: set the OPENAI_API_KEY environment variable, or give --base-url (or OPENAI_BASE_URL) of a local OpenAI-compatible server',
    );
  }
  let provider;
  try {
    provider = createProvider({ provider: providerId, apiKey, model: values.model, baseUrl: baseUrl || undefined });
  } catch (e) {
    throw new CliError((e as Error).message);
  }

  const quiet = values.quiet || values.json;
  let textOpen = false;
  const log = (s: string) => {
    if (quiet) return;
    if (textOpen) process.stderr.write('\n');
    textOpen = false;
    process.stderr.write(`${s}\n`);
  };
  const onEvent = (e: AgentEvent) => {
    switch (e.type) {
      case 'stage':
        if (e.stage !== 'done') log(`== ${e.stage}${e.message ? `: ${e.message}` : ''}`);
        break;
      case 'search':
        log(`  ${e.ok ? '·' : '!'} ${e.api}(${Object.values(e.args).map((v) => JSON.stringify(v)).join(', ')}) → ${e.summary}`);
        break;
      case 'locations':
        for (const l of e.locations) log(`  location ${l.file}:${l.startLine}-${l.endLine} ${[l.className, l.method].filter(Boolean).join('.')} (${l.resolvedBy})`);
        break;
      case 'edit-attempt':
        log(`  edit attempt ${e.attempt}: ${e.ok ? `applied${e.strategy ? ` (${e.strategy})` : ''}` : `failed — ${e.message.split('\n')[0]}`}`);
        break;
      case 'candidate':
        log(`  candidate ${e.id}${e.evidence ? `: ${e.evidence.verdict}` : ''}`);
        break;
      case 'selected':
        log(`  selected ${e.id}: ${e.reason}`);
        break;
      case 'error':
        log(`  ${e.recoverable ? 'warning' : 'error'}: ${e.message}`);
        break;
      case 'text':
        break;
      case 'usage':
        break;
    }
  };

  const ac = new AbortController();
  const onSig = () => ac.abort();
  process.once('SIGINT', onSig);
  process.once('SIGTERM', onSig);
  let result;
  try {
    result = await runFixPipeline({
      repo,
      issue,
      provider,
      validate: values.validate === true,
      candidates,
      maxRounds,
      budgetUsd,
      signal: ac.signal,
      onEvent,
      trajectoryPath: values.trajectory ? resolve(values.trajectory) : undefined,
    });
  } finally {
    process.off('SIGINT', onSig);
    process.off('SIGTERM', onSig);
  }
  const diff = result.diff ?? '';
  const u = result.agent.usage;
  log(
    `== ${result.agent.status}: ${u.calls} model call(s), ${u.inputTokens} input / ${u.outputTokens} output tokens, ~$${u.costUsd.toFixed(4)}` +
      (result.reason ? ` — ${result.reason}` : '') +
      (result.agent.error ? ` — ${result.agent.error}` : ''),
  );
  if (values.out) {
    await mkdir(dirname(resolve(values.out)), { recursive: true });
    await writeFile(resolve(values.out), diff);
    log(diff ? `patch written to ${values.out}` : `no patch; ${values.out} is empty`);
  }
  if (values.predictions) {
    const line = { instance_id: values['instance-id'], model_name_or_path: `rover/${provider.model}`, model_patch: diff };
    await mkdir(dirname(resolve(values.predictions)), { recursive: true });
    await appendFile(resolve(values.predictions), JSON.stringify(line) + '\n');
  }
  if (values.json) {
    process.stdout.write(
      JSON.stringify({
        status: result.agent.status,
        diff,
        chosen: result.chosenId,
        reason: result.reason,
        locations: result.agent.locations,
        candidates: result.agent.candidates.map((c) => ({ id: c.id, files: c.files, attempts: c.attempts })),
        usage: u,
        error: result.agent.error,
      }) + '\n',
    );
  } else if (!values.out && diff) {
    process.stdout.write(diff);
  }
  if (result.agent.status === 'cancelled') return 130;
  if (diff) return 0;
  return result.agent.status === 'budget-exhausted' ? 3 : 1;
}
