// rover._state: what the features know, for the end-to-end suites and for debugging. Hidden from the
// palette. Each source is the narrow view one feature gives of itself.
import * as vscode from 'vscode';
import * as core from './core-bridge';
import { succeeded } from './logic/command-result';
import type { SharedState } from './logic/shared-state';

export interface StateSources {
  shared: SharedState;
  fixRun: { snapshot(): object };
  testOnSave: { readonly isEnabled: boolean; schedulerFigures(): object };
  testing: { snapshot(): object };
  review: { snapshot(): unknown };
  validation: { readonly last: unknown };
  index: { readonly figures: unknown };
  log: { readonly errors: number };
  github: { snapshot(): object };
}

export class StateController implements vscode.Disposable {
  private readonly command: vscode.Disposable;
  /** Processes spawned before activation are not Rover's. */
  private readonly spawnBase = core.spawnedProcessCount();

  constructor(private readonly sources: StateSources) {
    this.command = vscode.commands.registerCommand('rover._state', () => succeeded(this.snapshot()));
  }

  snapshot() {
    const { shared, fixRun, testOnSave, testing, review, validation, index, log, github } = this.sources;
    const suspects = shared.get('suspects');
    return {
      trusted: vscode.workspace.isTrusted,
      testOnSave: testOnSave.isEnabled,
      ...fixRun.snapshot(),
      reviews: review.snapshot(),
      childProcesses: core.spawnedProcessCount() - this.spawnBase,
      lastTestResult: shared.get('lastTestResult'),
      testOnSaveRuns: testOnSave.schedulerFigures(),
      testing: testing.snapshot(),
      lastLocalize: suspects ? { entries: suspects.entries, mode: suspects.mode } : undefined,
      lastValidation: validation.last,
      index: index.figures,
      logErrors: log.errors,
      github: github.snapshot(),
    };
  }

  dispose(): void {
    this.command.dispose();
  }
}
