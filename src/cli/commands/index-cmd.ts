import { CliError } from '../args';

export async function run(_argv: string[]): Promise<number> {
  throw new CliError('"index" is not available in this build yet', 1);
}
