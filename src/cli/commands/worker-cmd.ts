// rover worker --redis URL [--concurrency N] [--root DIR] [--bench DIR] [--queue NAME]
// Takes batch jobs from a BullMQ queue until Ctrl-C: each job one instance, in a private checkout of
// this machine's checkout cache, with this machine's API key (environment) for mode fix.
import { resolve } from 'node:path';
import { CliError, parse } from '../args';
import { onInterrupt } from '../../core/proc/cancel';
import { DEFAULT_QUEUE, runWorker } from '../batch/bullmq';
import { probeRedis, redisUrlFrom } from '../batch/redis-url';

const USAGE = 'worker --redis URL [--concurrency N] [--root DIR] [--bench DIR] [--queue NAME] [--stall-seconds S]';

export async function run(argv: string[]): Promise<number> {
  const { values } = parse(argv, {
    redis: { type: 'string' },
    concurrency: { type: 'string' },
    root: { type: 'string' },
    bench: { type: 'string' },
    queue: { type: 'string' },
    'stall-seconds': { type: 'string' },
  }, USAGE, {
    summary: 'Takes `rover batch --redis` jobs from a BullMQ queue until Ctrl-C (or SIGTERM) and runs each (one instance) in a private checkout of this machine\'s checkout cache; run it on any number of machines. Mode fix uses this machine\'s API key (ANTHROPIC_API_KEY / OPENAI_API_KEY in the environment): no key travels with a job. Ctrl-C puts the running jobs back on the queue; a worker killed outright leaves them to be found stalled and run again elsewhere.',
    options: {
      redis: 'redis://[user:password@]HOST:PORT[/DB] or rediss:// (TLS); default ROVER_REDIS_URL',
      concurrency: 'jobs at once (default 1)',
      root: 'the checkout cache, <root>/<instance_id> (default $SWEBENCH_ROOT or /tmp/swebench-eval)',
      bench: 'a folder with prepare.sh to make missing checkouts (default: the batch\'s, if this machine has it)',
      queue: `the BullMQ queue (default ${DEFAULT_QUEUE})`,
      'stall-seconds': 'a job whose worker stops renewing its lock for this long is run again elsewhere (default 30)',
    },
    notes: ['example:', '  ROVER_REDIS_URL=redis://:PASSWORD@queue-host:6379 rover worker --concurrency 2', 'exit codes: 130 stopped with Ctrl-C (143 SIGTERM), 2 bad input or Redis unreachable'],
  });
  const url = redisUrlFrom(values.redis);
  if (!url) throw new CliError(`--redis URL (or ROVER_REDIS_URL) is required\nusage: rover ${USAGE}`);
  const concurrency = Number(values.concurrency ?? 1);
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new CliError(`--concurrency must be a whole number of at least 1 (got "${values.concurrency}")`);
  const stallSeconds = Number(values['stall-seconds'] ?? 30);
  if (!Number.isFinite(stallSeconds) || stallSeconds < 1) throw new CliError(`--stall-seconds must be at least 1 (got "${values['stall-seconds']}")`);
  await probeRedis(url);
  const stop = onInterrupt({ graceMs: 30_000 });
  try {
    await runWorker({
      url, queueName: values.queue ?? DEFAULT_QUEUE, concurrency, stallSeconds,
      root: resolve(values.root ?? process.env.SWEBENCH_ROOT ?? '/tmp/swebench-eval'),
      benchDir: values.bench ? resolve(values.bench) : undefined,
      signal: stop.signal, log: (s) => console.error(`rover worker: ${s}`),
    });
  } finally {
    stop.dispose();
  }
  return stop.exitCode;
}
