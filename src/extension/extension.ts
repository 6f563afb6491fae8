// VS Code entry point: builds one controller per feature and wires them; no feature logic lives here.
// Every command takes an arguments object (then it prompts for nothing) and returns a CommandResult
// (logic/command-result.ts), so tests and other extensions can drive it and read what happened;
// rover._state reports what the features know.
import * as vscode from 'vscode';
import * as core from './core-bridge';
import { FixRunController } from './fix-run-controller';
import { GitHubController } from './github-controller';
import { IndexController } from './index-controller';
import { KeysController } from './keys-controller';
import { LmToolsController } from './lm-tools-controller';
import { LocalizeController } from './localize-controller';
import { SharedState } from './logic/shared-state';
import { RetestAfterReview } from './retest-after-review';
import { ReviewCommands } from './review-commands';
import { ReviewController } from './review-controller';
import { RoverLog } from './rover-log';
import { StateController } from './state-controller';
import { TestOnSave } from './test-on-save';
import { TestSelection } from './test-selection';
import { TestingController } from './testing';
import { ValidateController } from './validate-controller';
import { UNTRUSTED_MESSAGE, WorkspaceAccess } from './workspace-access';

export { UNTRUSTED_MESSAGE };

export async function activate(context: vscode.ExtensionContext): Promise<{ state: () => unknown }> {
  // disposed in reverse order of creation: a controller goes before what it uses
  const own = <T extends vscode.Disposable>(d: T): T => {
    context.subscriptions.unshift(d);
    return d;
  };
  const log = own(new RoverLog());
  const workspace = new WorkspaceAccess(context, log);
  const shared = own(new SharedState((e) => log.error(`a listener of the shared state failed: ${(e as Error).message}`)));
  const index = own(new IndexController(workspace, log));
  const review = own(new ReviewController(log));
  const selection = own(new TestSelection(index, shared));
  const testing = own(new TestingController(workspace, log, index, shared));
  const testOnSave = own(new TestOnSave(workspace, log, testing, selection, shared, context.workspaceState));
  const keys = own(new KeysController(context.secrets, workspace, log));
  const github = own(new GitHubController(workspace, log, review, shared));
  const fixRun = own(new FixRunController(context.extensionUri, workspace, log, keys, index, review, shared, github));
  own(new ReviewCommands(review, workspace));
  own(new RetestAfterReview(review, workspace, testing, selection, shared));
  own(new LocalizeController(context.extensionUri, workspace, log, index, shared));
  const validation = own(new ValidateController(workspace, log, selection));
  own(new LmToolsController(workspace, log, index, context.extensionUri.fsPath));
  const state = own(new StateController({ shared, fixRun, testOnSave, testing, review, validation, index, log, github }));
  own(vscode.commands.registerCommand('rover.showLog', () => log.show()));
  own(
    vscode.workspace.onDidGrantWorkspaceTrust(() => {
      log.info('Workspace trusted: tests and fixes are enabled.');
      void sweepLeftovers(workspace, log);
    }),
  );

  const root = workspace.root();
  log.info(`Rover activated (${workspace.trusted ? 'trusted' : 'untrusted: index and search only'} workspace${root ? ` ${root}` : ', no folder open'})`);
  if (!workspace.trusted) log.info(`${UNTRUSTED_MESSAGE}.`);
  void index.current();
  await sweepLeftovers(workspace, log);
  return { state: () => state.snapshot() };
}

/** What a killed earlier Rover left: test processes, checkouts, temp folders (never fails). Trusted folders only. */
async function sweepLeftovers(workspace: WorkspaceAccess, log: RoverLog): Promise<void> {
  const root = workspace.root();
  if (!root || !workspace.trusted) return;
  const swept = await core.sweepAtStart({ repo: root });
  const n = swept.processes + swept.temps.length + swept.worktrees.length + swept.cacheTemps.length;
  if (n) log.info(`Removed what an earlier Rover left when it was stopped: ${swept.processes} process(es), ${swept.worktrees.length} checkout(s), ${swept.temps.length + swept.cacheTemps.length} temp file(s)`);
}
