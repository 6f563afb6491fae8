// Usage arithmetic shared by the providers.
import { ModelError, type Usage } from './types';
import { StreamCutError } from './errors';
import { costOf } from './prices';
import type { Price } from './types';

export const zeroUsage = (): Usage => ({ inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 });

export function addUsage(a: Usage, b: Usage): Usage {
  return {
    inputTokens: a.inputTokens + b.inputTokens,
    outputTokens: a.outputTokens + b.outputTokens,
    cacheReadTokens: a.cacheReadTokens + b.cacheReadTokens,
    cacheWriteTokens: a.cacheWriteTokens + b.cacheWriteTokens,
  };
}

export const isZeroUsage = (u: Usage): boolean => !u.inputTokens && !u.outputTokens && !u.cacheReadTokens && !u.cacheWriteTokens;

/** Collects the usage of attempts cut mid-stream: the server billed them even though we got nothing usable. */
export class WastedUsage {
  total = zeroUsage();
  onFailure = (raw: unknown): void => {
    if (raw instanceof StreamCutError && raw.usage) this.total = addUsage(this.total, raw.usage);
  };
  /** Attaches the wasted usage to a final error so a budget ledger can still count it. */
  annotate(e: unknown, price: Price): unknown {
    if (e instanceof ModelError && !isZeroUsage(this.total)) {
      e.usage = this.total;
      e.costUsd = costOf(this.total, price);
    }
    return e;
  }
}
