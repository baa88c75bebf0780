/**
 * The notify lines of a vrrp_instance or vrrp_sync_group (notify,
 * notify_master, notify_backup, notify_fault, notify_stop), read as
 * keepalived 2.2.7 reads them: `KEYWORD COMMAND [USER [GROUP]]`. A command
 * runs as its USER, else as global_defs script_user, else as the agent's own
 * user. floatip runs every notify command of one block as one user (YAML
 * `notify.user`), so a block whose lines would run as different users is
 * refused, naming both lines.
 */
import type { Block } from "./parser.js";
import { args, fail, mark, type Ctx, type KeywordSpec } from "./translate-util.js";

type Obj = Record<string, unknown>;

/** What a notify line asked for: its own user ("user" or "user:group"), or none. */
export interface NotifyUserLine {
  readonly user: string | undefined;
  readonly b: Block;
}

/** The translation state a block's notify lines need. */
export interface NotifySt {
  readonly ctx: Ctx;
  readonly path: string;
  readonly notify: Obj;
  readonly notifyLines: NotifyUserLine[];
}

/** The reader of one notify keyword, filling `notify[field]`. */
export function notifyLine<S extends NotifySt>(field: string): KeywordSpec<S> {
  return {
    run: (b, st) => {
      if (!args(st.ctx, b, 1, 3, "COMMAND [USER [GROUP]]")) return;
      const [command, user, group] = b.args;
      st.notify[field] = command;
      mark(st.ctx, `${st.path}.notify.${field}`, b);
      st.notifyLines.push({ user: user === undefined ? undefined : group === undefined ? user : `${user}:${group}`, b });
    },
  };
}

/** Sets `notify.user` once all lines are read; `scriptUser` is global_defs script_user. */
export function finishNotifyUser(st: NotifySt, scriptUser: { readonly value: string; readonly b: Block } | undefined): void {
  const runs = st.notifyLines.map((line) => ({
    line,
    user: line.user ?? scriptUser?.value,
    from: line.user !== undefined ? line.b : scriptUser?.b,
  }));
  const first = runs[0];
  if (first === undefined) return;
  const who = (user: string | undefined) => (user === undefined ? "floatip's own user" : `user ${user}`);
  const other = runs.find((r) => r.user !== first.user);
  if (other !== undefined)
    return void fail(
      st.ctx,
      other.line.b,
      `would run as ${who(other.user)}, but ${first.line.b.keyword} at ${first.line.b.file}:${first.line.b.line} as ${who(first.user)}: floatip runs every notify command of a block as one user`,
    );
  if (first.user === undefined || first.from === undefined) return;
  st.notify["user"] = first.user;
  mark(st.ctx, `${st.path}.notify.user`, first.from);
}
