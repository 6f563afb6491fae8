// Which of the editor's chat models (vscode.lm) Rover uses, decided without the `vscode` module so
// that both places that choose one — Set API Key and a fix run on `rover.provider: "vscode-lm"` —
// follow one rule and the rule is unit-tested: a model named in `rover.model` (id, family or name),
// else the only one there is, else the user picks.

/** The fields of a vscode.LanguageModelChat the choice reads. */
export interface ChatModelInfo {
  id: string;
  name: string;
  vendor: string;
  family: string;
}

export type ChatModelChoice<T extends ChatModelInfo> =
  /** The editor offers no chat model at all. */
  | { kind: 'none' }
  /** `wanted` names none of the models the editor offers. */
  | { kind: 'missing'; wanted: string; available: string[] }
  | { kind: 'use'; model: T }
  /** Several models and none named: the user picks one of `models`. */
  | { kind: 'ask'; models: T[] };

/**
 * The model `wanted` names, by id first (ids are unique), then family, then display name, ignoring
 * case: a family such as "gpt-4o" may be served by several models, and the id settles it.
 */
export function findChatModel<T extends ChatModelInfo>(models: readonly T[], wanted: string): T | undefined {
  const w = wanted.trim().toLowerCase();
  if (!w) return undefined;
  for (const field of ['id', 'family', 'name'] as const) {
    const hit = models.find((m) => m[field].toLowerCase() === w);
    if (hit) return hit;
  }
  return undefined;
}

export function chooseChatModel<T extends ChatModelInfo>(models: readonly T[], wanted?: string): ChatModelChoice<T> {
  if (!models.length) return { kind: 'none' };
  if (wanted?.trim()) {
    const hit = findChatModel(models, wanted);
    return hit ? { kind: 'use', model: hit } : { kind: 'missing', wanted: wanted.trim(), available: models.map((m) => m.id) };
  }
  if (models.length === 1) return { kind: 'use', model: models[0] };
  return { kind: 'ask', models: [...models] };
}

/** Quick pick rows for the models; the one `current` names is marked and listed first. */
export function chatModelPickItems<T extends ChatModelInfo>(models: readonly T[], current?: string): { label: string; description: string; model: T }[] {
  const mine = current ? findChatModel(models, current) : undefined;
  const ordered = mine ? [mine, ...models.filter((m) => m !== mine)] : [...models];
  return ordered.map((m) => ({ label: m.name, description: `${m.vendor} · ${m.id}${m === mine ? ' · current' : ''}`, model: m }));
}

/** For Set API Key: nothing was changed, and what would make a model appear. */
export const NO_CHAT_MODEL_TO_SET =
  'No VS Code chat model is available, so Rover cannot use one: sign in to a chat extension that provides models (e.g. GitHub Copilot) and run "Rover: Set API Key" again. Rover\'s settings were not changed.';

export function missingModelMessage(wanted: string, available: readonly string[]): string {
  return `No VS Code chat model is named "${wanted}"; available: ${available.join(', ')}.`;
}
