// API keys: "Rover: Set API Key" (provider, optional base URL and model, then the key; or one of the
// editor's own chat models, which needs no key) and the model client a fix run uses. Keys live in VS
// Code's secret storage only, never in settings.
import * as vscode from 'vscode';
import * as core from './core-bridge';
import { chatModelPickItems, chooseChatModel, findChatModel, missingModelMessage, NO_CHAT_MODEL_TO_SET } from './logic/chat-model-choice';
import { failed, succeeded, type CommandResult } from './logic/command-result';
import { SECRET_KEYS, type RoverSettings } from './logic/settings';
import type { RoverLog } from './rover-log';
import { editorChatModels, selectVscodeChatModel, VscodeLmProvider } from './vscode-lm-provider';
import type { WorkspaceAccess } from './workspace-access';

/** The providers that take a key (vscode-lm uses the editor's own sign-in). */
type Provider = Exclude<RoverSettings['provider'], 'vscode-lm'>;

export interface SetKeyArgs {
  /** 'vscode-lm': one of the editor's chat models (`model` names it; no key, base URL ignored). */
  provider?: RoverSettings['provider'];
  key?: string;
  baseUrl?: string;
  model?: string;
}

export type SetKeyResult = CommandResult<{ stored: boolean; provider: string; removed?: boolean; message?: string; model?: string }>;

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
    if (provider !== 'anthropic' && provider !== 'openai' && provider !== 'vscode-lm') {
      return failed('bad-input', 'provider must be "anthropic", "openai" or "vscode-lm"', { stored: false, provider });
    }
    const cfg = vscode.workspace.getConfiguration('rover');
    const dismissed = () => failed('dismissed', 'No key given.', { stored: false, provider });
    if (!a) {
      const picked = await askProvider(s, cfg);
      if (!picked) return dismissed();
      provider = picked;
    }
    if (provider === 'vscode-lm') {
      if (a?.key !== undefined || a?.baseUrl !== undefined) {
        return failed('bad-input', 'The vscode-lm provider uses the editor\'s own chat models and takes no key or base URL: give provider "anthropic" or "openai" with them. Nothing was changed.', { stored: false, provider });
      }
      return this.useEditorModel(s, cfg, a);
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
    else if (a && s.provider === 'vscode-lm') await cfg.update('model', undefined, vscode.ConfigurationTarget.Global); // an editor model's id means nothing to another API
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

  /**
   * `rover.provider: "vscode-lm"` with the model the user means: the one `a.model` names, the only one
   * there is, or (prompted) the one picked. Settings change only once a model is settled, so with no
   * chat model, an unknown name or a dismissed pick everything stays as it was.
   */
  private async useEditorModel(s: RoverSettings, cfg: vscode.WorkspaceConfiguration, a?: SetKeyArgs): Promise<SetKeyResult> {
    const provider = 'vscode-lm';
    const choice = chooseChatModel(await editorChatModels(), a?.model);
    let model: vscode.LanguageModelChat | undefined;
    switch (choice.kind) {
      case 'none':
        this.log.warn('Set API Key: no VS Code chat model is available; settings unchanged');
        if (!a) void vscode.window.showWarningMessage(`Rover: ${NO_CHAT_MODEL_TO_SET}`);
        return failed('error', NO_CHAT_MODEL_TO_SET, { stored: false, provider });
      case 'missing':
        return failed('bad-input', `${missingModelMessage(choice.wanted, choice.available)} Rover's settings were not changed.`, { stored: false, provider });
      case 'use':
        model = choice.model;
        break;
      case 'ask': {
        if (a) {
          // nothing is asked when called with arguments: keep a rover.model that names one of them,
          // else leave it empty and the first fix run asks
          model = s.model ? findChatModel(choice.models, s.model) : undefined;
          break;
        }
        const pick = await vscode.window.showQuickPick(chatModelPickItems(choice.models, s.model), { title: 'Rover: which VS Code chat model?', placeHolder: 'Rover runs its agent on this model (saved in rover.model)' });
        if (!pick) return failed('dismissed', 'No chat model chosen; settings unchanged.', { stored: false, provider });
        model = pick.model;
        break;
      }
    }
    await cfg.update('provider', provider, vscode.ConfigurationTarget.Global);
    await cfg.update('model', model?.id, vscode.ConfigurationTarget.Global);
    const message = model
      ? `Rover will use ${model.name} (${model.vendor}) through VS Code; no key is needed and the cost is billed by your subscription.`
      : 'Rover will use one of VS Code\'s chat models and ask which at the first run.';
    this.log.info(`provider set to vscode-lm${model ? ` (${model.id})` : ''}`);
    if (!a) void vscode.window.showInformationMessage(`Rover: ${message}`);
    return succeeded({ stored: false, provider, message, ...(model ? { model: model.id } : {}) });
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}

/** The provider, and for an OpenAI-compatible server its base URL and model (written to user settings). */
async function askProvider(s: RoverSettings, cfg: vscode.WorkspaceConfiguration): Promise<RoverSettings['provider'] | undefined> {
  const pick = await vscode.window.showQuickPick(
    [
      { label: 'Anthropic', id: 'anthropic' as const, description: 'Claude models' },
      { label: 'OpenAI-compatible', id: 'openai' as const, description: 'OpenAI, or a local server (Ollama, vLLM, LM Studio) with a base URL' },
      { label: 'VS Code language model (Copilot etc.)', id: 'vscode-lm' as const, description: 'a chat model the editor already has; no key, billed by your subscription' },
    ],
    { title: 'Rover: Set API Key', placeHolder: 'Which model API?' },
  );
  if (!pick) return undefined;
  // an editor model's id (rover.model under vscode-lm) means nothing to another API
  const carried = s.provider === 'vscode-lm' ? '' : s.model ?? '';
  if (pick.id !== 'vscode-lm' && s.provider === 'vscode-lm') await cfg.update('model', undefined, vscode.ConfigurationTarget.Global);
  if (pick.id === 'openai') {
    const base = await vscode.window.showInputBox({ title: 'Base URL (optional)', prompt: 'Leave empty for api.openai.com; e.g. http://localhost:11434/v1 for Ollama', value: s.baseUrl ?? '' });
    if (base === undefined) return undefined;
    await cfg.update('baseUrl', base.trim(), vscode.ConfigurationTarget.Global);
    const model = await vscode.window.showInputBox({ title: 'Model (optional)', value: carried });
    if (model !== undefined) await cfg.update('model', model.trim(), vscode.ConfigurationTarget.Global);
  }
  return pick.id;
}
