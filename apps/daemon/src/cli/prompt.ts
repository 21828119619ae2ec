import { createInterface } from 'node:readline/promises';

/** Something the command needs that was neither given as a flag nor can be asked for. */
export class MissingInputError extends Error {
  override readonly name = 'MissingInputError';
}

/**
 * Asks on the terminal. Without one (scripts, CI) missing input is an error that says which flag
 * or step is missing, never a hang waiting on a closed stdin.
 */
export async function ask(question: string, whenNoTerminal: string): Promise<string> {
  if (!process.stdin.isTTY) throw new MissingInputError(whenNoTerminal);
  const readline = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return (await readline.question(`${question} `)).trim();
  } finally {
    readline.close();
  }
}
