/**
 * Splits a command string into argv with shell-like quoting, without a
 * shell: whitespace separates words; '...' keeps everything literally;
 * "..." keeps whitespace and honours \" \\ \$ \` and backslash-newline;
 * outside quotes a backslash escapes the next character. No variable,
 * glob or command substitution happens. keepalived likewise splits script
 * and notify strings itself and execs the program directly.
 */

export type ParsedCommand = { readonly ok: true; readonly argv: readonly string[] } | { readonly ok: false; readonly message: string };

const DOUBLE_QUOTE_ESCAPES = new Set(['"', "\\", "$", "`", "\n"]);

export function parseCommandLine(command: string): ParsedCommand {
  const argv: string[] = [];
  let word = "";
  let inWord = false;
  let i = 0;
  const n = command.length;
  while (i < n) {
    const c = command[i]!;
    if (c === " " || c === "\t" || c === "\n" || c === "\r") {
      if (inWord) argv.push(word);
      word = "";
      inWord = false;
      i++;
      continue;
    }
    inWord = true;
    if (c === "'") {
      const end = command.indexOf("'", i + 1);
      if (end < 0) return { ok: false, message: `unterminated ' quote in: ${command}` };
      word += command.slice(i + 1, end);
      i = end + 1;
    } else if (c === '"') {
      i++;
      let closed = false;
      while (i < n) {
        const d = command[i]!;
        if (d === '"') {
          closed = true;
          i++;
          break;
        }
        if (d === "\\" && i + 1 < n && DOUBLE_QUOTE_ESCAPES.has(command[i + 1]!)) {
          if (command[i + 1] !== "\n") word += command[i + 1];
          i += 2;
          continue;
        }
        word += d;
        i++;
      }
      if (!closed) return { ok: false, message: `unterminated " quote in: ${command}` };
    } else if (c === "\\") {
      if (i + 1 >= n) return { ok: false, message: `trailing backslash in: ${command}` };
      if (command[i + 1] !== "\n") word += command[i + 1];
      else if (word === "") inWord = false; // a line continuation alone is not a word
      i += 2;
    } else {
      word += c;
      i++;
    }
  }
  if (inWord) argv.push(word);
  if (argv.length === 0) return { ok: false, message: "empty command" };
  if (argv[0] === "") return { ok: false, message: `empty program name in: ${command}` };
  return { ok: true, argv };
}
