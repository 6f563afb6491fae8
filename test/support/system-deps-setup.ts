// vitest globalSetup: names the missing system packages once at the start and again after the
// results, so a skipped test is never silent about why.
import { missingSummary } from './system-deps';

export default function setup(): (() => void) | undefined {
  const text = missingSummary();
  if (!text) return undefined;
  console.warn(`\n${text}\n`);
  return () => console.warn(`\n${text}\n`);
}
