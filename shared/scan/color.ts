/**
 * Colour for the CLI's text output: the one place that decides whether to colour, so every
 * command behaves the same. `NO_COLOR` (no-color.org: any non-empty value) turns colour off; `FORCE_COLOR=0` (or
 * `false`) turns it off too; any other non-empty `FORCE_COLOR` turns it on without a terminal;
 * otherwise colour is on only when the stream is a terminal (and `TERM` is not `dumb`).
 */
export function colorEnabled(env: NodeJS.ProcessEnv, isTty: boolean): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  const force = env.FORCE_COLOR;
  if (force !== undefined && force !== '') return force !== '0' && force.toLowerCase() !== 'false';
  return isTty && env.TERM !== 'dumb';
}

const ANSI = { red: 31, green: 32, yellow: 33, grey: 90, bold: 1 } as const;
export type Paint = keyof typeof ANSI;

/** A painter that colours when `enabled`, and returns the text untouched when not. */
export function painter(enabled: boolean): (code: Paint, text: string) => string {
  return (code, text) => (enabled ? `\u001b[${ANSI[code]}m${text}\u001b[0m` : text);
}
