// What several editor features learn and the others read, in one typed store with a change event
// (instead of fields of one controller that every feature reaches into). Writers: the Testing view
// (lastTestResult), a fix session and Localize Fault (coverage, suspects), a fix session
// (validatingTests). Readers subscribe to onDidChange or read when they need the value.
import type { FixFacts, IssueFacts, LocalizeEntry } from '../core-bridge';
import type { TestOutcomeSummary } from './test-outcome';

export interface SharedFacts {
  /** The last test run that was not cancelled: Localize Fault and Fix This Issue offer its failures. */
  lastTestResult?: TestOutcomeSummary;
  /** test id -> covered "file:line" keys, from the last fix session or Localize Fault: test-on-save picks tests by it. */
  coverage?: ReadonlyMap<string, ReadonlySet<string>>;
  /** The tests that validated the last fix: they run again once its review is accepted. */
  validatingTests: readonly string[];
  /** The last ranking of suspicious code (Localize Fault, or a fix session's SBFL), for the Suspicious Code view. */
  suspects?: { root: string; entries: LocalizeEntry[]; mode: string };
  /** The GitHub issue the last fix run came from, with what the run established: Open Pull Request hands it over. */
  githubIssue?: { runId: string; root: string; issue: IssueFacts; facts: FixFacts };
}

export type FactName = keyof SharedFacts;

/** A subscription's handle; vscode.Disposable has the same shape. */
export interface Subscription {
  dispose(): void;
}

/**
 * vscode.EventEmitter cannot load outside the extension host, and this store is unit-tested; its event
 * has vscode.Event's signature, so controllers use it like any VS Code event.
 */
export type FactEvent = (listener: (name: FactName) => unknown, thisArgs?: unknown, disposables?: Subscription[]) => Subscription;

export class SharedState implements Subscription {
  private facts: SharedFacts = { validatingTests: [] };
  private readonly listeners = new Set<(name: FactName) => unknown>();

  /** `onListenerError` hears what a listener threw: one failing reader must not keep the others from the change. */
  constructor(private readonly onListenerError: (e: unknown) => void = () => undefined) {}

  readonly onDidChange: FactEvent = (listener, thisArgs, disposables) => {
    const bound = thisArgs === undefined ? listener : listener.bind(thisArgs);
    this.listeners.add(bound);
    const sub = { dispose: () => void this.listeners.delete(bound) };
    disposables?.push(sub);
    return sub;
  };

  get<K extends FactName>(name: K): SharedFacts[K] {
    return this.facts[name];
  }

  set<K extends FactName>(name: K, value: SharedFacts[K]): void {
    this.facts = { ...this.facts, [name]: value };
    for (const l of [...this.listeners]) {
      try {
        l(name);
      } catch (e) {
        this.onListenerError(e);
      }
    }
  }

  dispose(): void {
    this.listeners.clear();
  }
}
