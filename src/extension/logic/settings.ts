// Rover's settings as the extension reads them, validated: a bad value gives a clear message and the
// default, never a crash mid-run.

export interface RoverSettings {
  provider: 'anthropic' | 'openai' | 'vscode-lm';
  model?: string;
  baseUrl?: string;
  budgetUsd: number;
  candidates: number;
  testsCommand?: string[];
  testTimeoutMs: number;
  exclude: string[];
  testOnSave: boolean;
  debounceMs: number;
  maxFileBytes: number;
}

export type SettingGetter = (key: string) => unknown;

export function readSettings(get: SettingGetter): { settings: RoverSettings; problems: string[] } {
  const problems: string[] = [];
  const num = (key: string, def: number, min: number, max = Infinity): number => {
    const v = get(key);
    if (v === undefined || v === null || v === '') return def;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) {
      problems.push(`rover.${key} must be a number between ${min} and ${max === Infinity ? 'any' : max}; using ${def}.`);
      return def;
    }
    return v;
  };
  const strs = (key: string): string[] | undefined => {
    const v = get(key);
    if (v === undefined || v === null) return undefined;
    if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) {
      problems.push(`rover.${key} must be a list of strings; ignoring it.`);
      return undefined;
    }
    return v as string[];
  };
  const str = (key: string): string | undefined => {
    const v = get(key);
    return typeof v === 'string' && v.trim() ? v.trim() : undefined;
  };
  let provider = get('provider');
  if (provider !== 'anthropic' && provider !== 'openai' && provider !== 'vscode-lm') {
    if (provider !== undefined) problems.push(`rover.provider must be "anthropic", "openai" or "vscode-lm"; using anthropic.`);
    provider = 'anthropic';
  }
  const baseUrl = str('baseUrl');
  if (baseUrl) {
    try {
      const u = new URL(baseUrl);
      if (u.protocol !== 'http:' && u.protocol !== 'https:') problems.push(`rover.baseUrl must be an http(s) URL (got ${baseUrl}).`);
    } catch {
      problems.push(`rover.baseUrl is not a URL: ${baseUrl}.`);
    }
  }
  const cmd = strs('tests.command');
  return {
    settings: {
      provider: provider as RoverSettings['provider'],
      model: str('model'),
      baseUrl,
      budgetUsd: num('budgetUsd', 1, 0),
      candidates: Math.floor(num('candidates', 3, 1, 8)),
      testsCommand: cmd && cmd.length ? cmd : undefined,
      testTimeoutMs: num('tests.timeoutSeconds', 300, 1) * 1000,
      exclude: strs('index.exclude') ?? [],
      testOnSave: get('testOnSave') === true,
      debounceMs: num('testOnSaveDebounceMs', 600, 0, 60_000),
      maxFileBytes: num('index.maxFileSizeKb', 1024, 1) * 1024,
    },
    problems,
  };
}

export const SECRET_KEYS = { anthropic: 'rover.apiKey.anthropic', openai: 'rover.apiKey.openai' } as const;
