import { createInterface } from 'node:readline';

/** What the reader needs of standard input (a TTY has setRawMode). */
export interface PasswordInput extends NodeJS.ReadableStream {
  isTTY?: boolean;
  setRawMode?(mode: boolean): unknown;
}

/**
 * The password for `create-admin`. Typed at a terminal it is read in raw
 * mode, so the terminal never echoes it (nor does it stay on screen or in a
 * recording); piped (`echo "$PW" | npm run cli -- create-admin root`) it is
 * the first line of input.
 */
export function readPassword(input: PasswordInput, prompt: NodeJS.WritableStream): Promise<string> {
  if (input.isTTY && input.setRawMode) return readHidden(input, prompt);
  return readFirstLine(input);
}

async function readFirstLine(input: NodeJS.ReadableStream): Promise<string> {
  const lines = createInterface({ input, terminal: false });
  for await (const line of lines) {
    lines.close();
    return line;
  }
  return '';
}

const ENTER = new Set(['\r', '\n', '\u0004']); // Enter, or Ctrl-D
const INTERRUPT = '\u0003'; // Ctrl-C: raw mode turns it into a character
const BACKSPACE = new Set(['\u007f', '\b']);

function readHidden(input: PasswordInput, prompt: NodeJS.WritableStream): Promise<string> {
  // Raw mode before the prompt: whoever sees the prompt may type, and nothing typed is echoed.
  input.setRawMode!(true);
  prompt.write('Password (not shown): ');
  input.setEncoding('utf8');
  input.resume();
  return new Promise((resolve, reject) => {
    let typed: string[] = [];
    const finish = () => {
      input.off('data', onData);
      input.setRawMode!(false);
      input.pause();
      prompt.write('\n');
    };
    function onData(chunk: string | Buffer) {
      for (const character of chunk.toString()) {
        if (ENTER.has(character)) {
          finish();
          resolve(typed.join(''));
          return;
        }
        if (character === INTERRUPT) {
          finish();
          reject(new Error('interrupted'));
          return;
        }
        // Code points, so a backspace removes a whole character, not half of one.
        typed = BACKSPACE.has(character) ? typed.slice(0, -1) : [...typed, character];
      }
    }
    input.on('data', onData);
  });
}
