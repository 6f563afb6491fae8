// Per-run token and cost accounting with an optional cap. Costs are estimates from the price table.
import { BudgetExceededError, type ChatResponse, type Usage } from './types';

export interface LedgerEntry {
  /** True for a call that failed after the server had billed tokens (e.g. a stream cut mid-answer). */
  failed?: boolean;
  model: string;
  usage: Usage;
  costUsd: number;
  ms: number;
  stopReason: string;
  at: string;
}

export interface LedgerTotals extends Usage {
  costUsd: number;
  calls: number;
  ms: number;
}

/** Adds one call's tokens and cost to running totals (a ledger's, an agent run's). */
export function addCall(into: Usage & { costUsd: number; calls: number }, usage: Usage, costUsd: number): void {
  into.inputTokens += usage.inputTokens;
  into.outputTokens += usage.outputTokens;
  into.cacheReadTokens += usage.cacheReadTokens;
  into.cacheWriteTokens += usage.cacheWriteTokens;
  into.costUsd += costUsd;
  into.calls += 1;
}

export class CostLedger {
  readonly perCall: LedgerEntry[] = [];
  readonly totals: LedgerTotals = {
    inputTokens: 0,
    outputTokens: 0,
    cacheReadTokens: 0,
    cacheWriteTokens: 0,
    costUsd: 0,
    calls: 0,
    ms: 0,
  };

  /** budgetUsd undefined (or <= 0 is rejected): no cap. */
  constructor(readonly budgetUsd?: number) {
    if (budgetUsd !== undefined && !(Number.isFinite(budgetUsd) && budgetUsd > 0)) {
      throw new RangeError(`Budget must be a positive number of USD, got ${String(budgetUsd)}.`);
    }
  }

  /** Never throws: the response that crossed the cap was paid for and the caller keeps it. */
  record(r: ChatResponse): void {
    this.add({ model: r.model, usage: { ...r.usage }, costUsd: r.costUsd, ms: r.ms, stopReason: r.stopReason, at: new Date().toISOString() });
  }

  /** A call that failed but was billed (ModelError.usage / costUsd). */
  recordFailed(model: string, usage: Usage, costUsd: number, ms: number, kind: string): void {
    this.add({ failed: true, model, usage: { ...usage }, costUsd, ms, stopReason: `error:${kind}`, at: new Date().toISOString() });
  }

  private add(r: LedgerEntry): void {
    this.perCall.push(r);
    addCall(this.totals, r.usage, r.costUsd);
    this.totals.ms += r.ms;
  }

  remaining(): number {
    return this.budgetUsd === undefined ? Infinity : Math.max(0, this.budgetUsd - this.totals.costUsd);
  }

  exhausted(): boolean {
    return this.budgetUsd !== undefined && this.totals.costUsd >= this.budgetUsd;
  }

  /** Call before starting a model call: throws BudgetExceededError once the cap is reached. */
  assertWithinBudget(): void {
    if (this.exhausted()) throw new BudgetExceededError(this.totals.costUsd, this.budgetUsd!);
  }

  toJSON(): { budgetUsd?: number; totals: LedgerTotals; perCall: LedgerEntry[]; estimate: true } {
    return { budgetUsd: this.budgetUsd, totals: { ...this.totals }, perCall: this.perCall, estimate: true };
  }
}
