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

const ENTER = new Set(['\r', '\n']);
const CTRL_C = '\u0003';
const CTRL_D = '\u0004';
const BACKSPACE = new Set(['\u007f', '\b']);

/** The user pressed Ctrl+C (or Ctrl+D on an empty line) at a prompt. */
export class PromptCancelledError extends Error {
  override readonly name = 'PromptCancelledError';
  constructor() {
    super('cancelled at the prompt');
  }
}

/**
 * Like `ask`, but what is typed is not shown (passwords, Sync Keys): the terminal is put in raw
 * mode for the answer, so neither the characters nor their count appear.
 */
export async function askSecret(question: string, whenNoTerminal: string): Promise<string> {
  const input = process.stdin;
  if (!input.isTTY) throw new MissingInputError(whenNoTerminal);
  // Raw (no echo) before the question shows, so nothing typed after it ever echoes.
  input.setRawMode(true);
  input.setEncoding('utf8');
  input.resume();
  process.stderr.write(`${question} `);
  try {
    return await new Promise<string>((resolve, reject) => {
      let answer = '';
      const onData = (chunk: string) => {
        for (const char of chunk) {
          if (ENTER.has(char)) return done(() => resolve(answer));
          if (char === CTRL_C || (char === CTRL_D && answer === '')) return done(() => reject(new PromptCancelledError()));
          if (BACKSPACE.has(char)) answer = Array.from(answer).slice(0, -1).join('');
          else if (char >= ' ') answer += char;
        }
      };
      const done = (settle: () => void) => {
        input.off('data', onData);
        settle();
      };
      input.on('data', onData);
    });
  } finally {
    input.setRawMode(false);
    input.pause();
    process.stderr.write('\n');
  }
}
