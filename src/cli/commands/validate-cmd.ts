import { CliError } from '../args';

export async function run(_argv: string[]): Promise<number> {
  throw new CliError('"validate" is not available in this build yet', 1);
}
