// Paths as the processes we measure report them: require, V8 and coverage.py name files by their
// real paths, so a root reached through a link (macOS /var -> /private/var) is compared as one too.
import { realpathSync } from 'node:fs';

/** The real path of `p`, or `p` itself when it cannot be resolved (gone, unreadable). */
export function realPathOr(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return p;
  }
}
