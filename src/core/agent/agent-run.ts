// What both phases of an agent run share: the options, the budgeted model, the trajectory being
// recorded, events, and the one way to call the model (with the re-ask after a cut stream).
import { addCall, withBudget, type CostLedger } from '../llm/index';
import { ModelError, type ChatProvider, type ChatRequest, type ChatResponse } from '../llm/types';
import type { AgentEvent } from './events';
import type { AgentOptions, AgentUsage } from './run-agent';
import type { Trajectory } from './trajectory';

export class Cancelled extends Error {}

export class AgentRun {
  readonly usage: AgentUsage = { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, costUsd: 0, calls: 0 };
  private readonly model: ChatProvider;

  constructor(
    readonly opts: AgentOptions,
    readonly ledger: CostLedger,
    readonly traj: Trajectory,
  ) {
    this.model = withBudget(opts.provider, ledger);
  }

  emit(e: AgentEvent): void {
    try {
      this.opts.onEvent?.(e);
    } catch {
      /* a broken listener must not break the run */
    }
  }

  checkAbort(): void {
    if (this.opts.signal?.aborted) throw new Cancelled('cancelled');
  }

  /** One model call, recorded and counted. */
  async call(req: ChatRequest, meta: Pick<Trajectory['calls'][number], 'phase' | 'round' | 'candidate' | 'attempt'>): Promise<ChatResponse> {
    let res: ChatResponse | undefined;
    // A stream cut after text was shown is not replayed by the provider (it would duplicate output
    // on screen); the agent owns the conversation, so it asks again, saying so.
    for (let cut = 0; !res; cut++) {
      this.checkAbort();
      try {
        res = await this.model.complete(req, { signal: this.opts.signal, onText: (delta) => this.emit({ type: 'text', delta }) });
      } catch (e) {
        if (!(e instanceof ModelError && e.kind === 'stream-cut') || cut >= 2) throw e;
        this.traj.calls.push({ ...meta, ms: 0, usage: { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 }, costUsd: 0, stopReason: 'stream-cut', model: this.opts.provider.model, sentMessages: req.messages.length });
        this.emit({ type: 'error', message: `${e.message} Asking again.`, recoverable: true });
      }
    }
    addCall(this.usage, res.usage, res.costUsd);
    this.traj.calls.push({ ...meta, ms: res.ms, usage: res.usage, costUsd: res.costUsd, stopReason: res.stopReason, model: res.model, sentMessages: req.messages.length });
    // the ledger's totals: with a session's ledger they include its other calls (reproduction, reviewer)
    const t = this.ledger.totals;
    this.emit({ type: 'usage', inputTokens: t.inputTokens, outputTokens: t.outputTokens, costUsd: t.costUsd, calls: t.calls });
    return res;
  }
}
