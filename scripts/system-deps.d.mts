// Types for scripts/system-deps.mjs (plain JS so it runs before `npm ci`).
export type SystemCheck = string[] | { file: string };
export interface SystemDep {
  pkg: string;
  /** What needs it, in words (printed when it is missing). */
  for: string;
  checks: SystemCheck[];
}
export const SYSTEM_DEPS: SystemDep[];
export function present(dep: SystemDep): boolean;
export function missingDeps(pkgs?: string[]): SystemDep[];
export function installCommand(pkgs: string[]): string;
export function skipNote(...pkgs: string[]): string;
