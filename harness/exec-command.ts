// `exec:CMD`: split CMD into argv the way a POSIX shell would for plain words and quotes
// (no expansion, no redirection), and encode protocol lines.

/** Words separated by blanks; '...' is literal, "..." allows \" \\ \$ \`, a backslash outside quotes escapes the next character. */
export function splitCommand(cmd: string): string[] {
  const out: string[] = [];
  let word: string | undefined;
  for (let i = 0; i < cmd.length; i++) {
    const c = cmd[i];
    if (c === ' ' || c === '\t' || c === '\n') {
      if (word !== undefined) out.push(word);
      word = undefined;
    } else if (c === "'") {
      const end = cmd.indexOf("'", i + 1);
      if (end < 0) throw new Error(`unterminated ' in ${JSON.stringify(cmd)}`);
      word = (word ?? '') + cmd.slice(i + 1, end);
      i = end;
    } else if (c === '"') {
      word ??= '';
      for (i++; ; i++) {
        if (i >= cmd.length) throw new Error(`unterminated " in ${JSON.stringify(cmd)}`);
        if (cmd[i] === '"') break;
        if (cmd[i] === '\\' && '"\\$`'.includes(cmd[i + 1] ?? '')) i++;
        word += cmd[i];
      }
    } else if (c === '\\') {
      if (i + 1 >= cmd.length) throw new Error(`trailing \\ in ${JSON.stringify(cmd)}`);
      word = (word ?? '') + cmd[++i];
    } else {
      word = (word ?? '') + c;
    }
  }
  if (word !== undefined) out.push(word);
  return out;
}

/** One protocol line: compact JSON, bytes as {"$base64": ...}. */
export function toJsonLine(message: object): string {
  return `${JSON.stringify(message, (_k, v) => (v instanceof Uint8Array ? { $base64: Buffer.from(v).toString('base64') } : v))}\n`;
}
