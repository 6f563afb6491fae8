// API keys: "Rover: Set API Key" (provider, optional base URL and model, then the key) and the model
// client a fix run uses. Keys live in VS Code's secret storage only, never in settings.
import * as vscode from 'vscode';
import * as core from './core-bridge';
import { failed, succeeded, type CommandResult } from './logic/command-result';
import { SECRET_KEYS, type RoverSettings } from './logic/settings';
import type { RoverLog } from './rover-log';
import { selectVscodeChatModel, VscodeLmProvider } from './vscode-lm-provider';
import type { WorkspaceAccess } from './workspace-access';

/** The providers that take a key (vscode-lm uses the editor's own sign-in). */
type Provider = Exclude<RoverSettings['provider'], 'vscode-lm'>;

export interface SetKeyArgs {
  provider?: Provider;
  key?: string;
  baseUrl?: string;
  model?: string;
}

export type SetKeyResult = CommandResult<{ stored: boolean; provider: string; removed?: boolean; message?: string }>;

/** What a fix run needs from the keys: a model client for the current settings. */
export interface ModelClients {
  provider(s: RoverSettings): Promise<core.ChatProvider>;
}

export class KeysController implements vscode.Disposable, ModelClients {
  private readonly disposables: vscode.Disposable[];

  constructor(
    private readonly secrets: vscode.SecretStorage,
    private readonly workspace: WorkspaceAccess,
    private readonly log: RoverLog,
  ) {
    this.disposables = [vscode.commands.registerCommand('rover.setApiKey', (a?: SetKeyArgs) => this.setKey(a))];
  }

  async provider(s: RoverSettings): Promise<core.ChatProvider> {
    if (s.provider === 'vscode-lm') return new VscodeLmProvider(await selectVscodeChatModel(s.model));
    const key = (await this.secrets.get(SECRET_KEYS[s.provider])) ?? '';
    if (!key && !(s.provider === 'openai' && s.baseUrl)) {
      throw new Error(`No API key for ${s.provider}: run "Rover: Set API Key" (keys are kept in VS Code's secret storage, never in settings).`);
    }
    return core.makeProvider({
      provider: s.provider,
      apiKey: key,
      baseUrl: s.baseUrl,
      model: s.model,
      onRetry: (info) => this.log.warn(`model call retry: ${JSON.stringify(info)}`),
    });
  }

  /** With arguments nothing is asked (tests, keybindings); without, the user is prompted. */
  private async setKey(a?: SetKeyArgs): Promise<SetKeyResult> {
    const s = this.workspace.settings();
    let provider: string = a?.provider ?? s.provider;
    if (provider !== 'anthropic' && provider !== 'openai') return failed('bad-input', 'provider must be "anthropic" or "openai"', { stored: false, provider });
    const cfg = vscode.workspace.getConfiguration('rover');
    const dismissed = () => failed('dismissed', 'No key given.', { stored: false, provider });
    if (!a) {
      const picked = await askProvider(s, cfg);
      if (!picked) return dismissed();
      provider = picked;
    }
    if (a?.baseUrl !== undefined) {
      try {
        if (a.baseUrl) new URL(a.baseUrl);
      } catch {
        return failed('bad-input', `Base URL "${a.baseUrl}" is not a URL.`, { stored: false, provider });
      }
      await cfg.update('baseUrl', a.baseUrl, vscode.ConfigurationTarget.Global);
    }
    if (a?.model !== undefined) await cfg.update('model', a.model, vscode.ConfigurationTarget.Global);
    if (provider !== s.provider) await cfg.update('provider', provider, vscode.ConfigurationTarget.Global);
    const p = provider as Provider;
    let key = a?.key;
    // a base URL alone (a local server) needs no key
    if (key === undefined && !a?.baseUrl) {
      key = await vscode.window.showInputBox({
        title: `Rover: ${p === 'anthropic' ? 'Anthropic' : 'OpenAI-compatible'} API key`,
        prompt: 'Stored in VS Code secret storage (never in settings.json)',
        password: true,
        ignoreFocusOut: true,
        validateInput: (v) => (/\s/.test(v.trim()) ? 'An API key has no spaces.' : undefined),
      });
    }
    if (key === undefined) return a?.baseUrl ? succeeded({ stored: false, provider }) : dismissed();
    key = key.trim();
    if (!key) {
      await this.secrets.delete(SECRET_KEYS[p]);
      this.log.info(`API key for ${p} removed`);
      return succeeded({ stored: false, provider, removed: true, message: 'Key removed.' });
    }
    if (/\s/.test(key)) return failed('bad-input', 'An API key has no spaces.', { stored: false, provider });
    await this.secrets.store(SECRET_KEYS[p], key);
    this.log.info(`API key for ${p} stored in secret storage`);
    if (!a) void vscode.window.showInformationMessage(`Rover: ${p} API key stored in VS Code's secret storage.`);
    return succeeded({ stored: true, provider });
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}

/** The provider, and for an OpenAI-compatible server its base URL and model (written to user settings). */
async function askProvider(s: RoverSettings, cfg: vscode.WorkspaceConfiguration): Promise<Provider | undefined> {
  const pick = await vscode.window.showQuickPick(
    [
      { label: 'Anthropic', id: 'anthropic' as const, description: 'Claude models' },
      { label: 'OpenAI-compatible', id: 'openai' as const, description: 'OpenAI, or a local server (Ollama, vLLM, LM Studio) with a base URL' },
    ],
    { title: 'Rover: Set API Key', placeHolder: 'Which model API?' },
  );
  if (!pick) return undefined;
  if (pick.id === 'openai') {
    const base = await vscode.window.showInputBox({ title: 'Base URL (optional)', prompt: 'Leave empty for api.openai.com; e.g. http://localhost:11434/v1 for Ollama', value: s.baseUrl ?? '' });
    if (base === undefined) return undefined;
    await cfg.update('baseUrl', base.trim(), vscode.ConfigurationTarget.Global);
    const model = await vscode.window.showInputBox({ title: 'Model (optional)', value: s.model ?? '' });
    if (model !== undefined) await cfg.update('model', model.trim(), vscode.ConfigurationTarget.Global);
  }
  return pick.id;
}
