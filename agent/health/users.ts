/**
 * Resolving a script's `user` ("name", "uid", "name:group" or "uid:gid") to
 * numeric ids by reading /etc/passwd and /etc/group, as keepalived's
 * `user username [:][groupname]`: the group defaults to the user's primary
 * group. The file reader is injected.
 */

export interface UserIds {
  readonly uid: number;
  readonly gid: number;
}

export type UserLookupResult = { readonly ok: true; readonly ids: UserIds } | { readonly ok: false; readonly message: string };

export type UserLookup = (spec: string) => Promise<UserLookupResult>;

/** A passwd(5) line (id = uid, gid = primary group) or a group(5) line (id = gid = the group's id). */
export interface IdEntry {
  readonly name: string;
  readonly id: number;
  readonly gid: number;
}

/** Parses passwd(5) or group(5) text: name:password:id[:gid]:... */
export function parseIdFile(text: string): IdEntry[] {
  const out: IdEntry[] = [];
  for (const line of text.split("\n")) {
    if (line.trim() === "" || line.startsWith("#")) continue;
    const fields = line.split(":");
    const name = fields[0];
    const id = parseId(fields[2]);
    if (name === undefined || id === undefined) continue;
    out.push({ name, id, gid: parseId(fields[3]) ?? id });
  }
  return out;
}

function parseId(text: string | undefined): number | undefined {
  if (text === undefined || !/^\d+$/.test(text)) return undefined;
  const n = Number(text);
  return n <= 0xffffffff ? n : undefined;
}

/** Pure resolution against already-read passwd and group entries. */
export function resolveUser(spec: string, passwd: readonly IdEntry[], groups: readonly IdEntry[]): UserLookupResult {
  const [userPart = "", groupPart] = spec.split(":", 2).map((s) => s.trim());
  if (userPart === "") return { ok: false, message: `no user name in "${spec}"` };
  const numericUid = parseId(userPart);
  const entry = passwd.find((p) => p.name === userPart) ?? (numericUid !== undefined ? passwd.find((p) => p.id === numericUid) : undefined);
  if (entry === undefined && numericUid === undefined) return { ok: false, message: `unknown user "${userPart}"` };
  const uid = entry?.id ?? numericUid!;
  if (groupPart === undefined || groupPart === "") {
    if (entry === undefined) return { ok: false, message: `uid ${uid} has no passwd entry; give a group as "${uid}:GID"` };
    return { ok: true, ids: { uid, gid: entry.gid } };
  }
  const numericGid = parseId(groupPart);
  const group = groups.find((g) => g.name === groupPart);
  if (group === undefined && numericGid === undefined) return { ok: false, message: `unknown group "${groupPart}"` };
  return { ok: true, ids: { uid, gid: group?.id ?? numericGid! } };
}

/** The real lookup, reading the files on every call (results are cached by the caller). */
export function passwdUserLookup(readFile: (path: string) => Promise<string>): UserLookup {
  const read = (path: string) => readFile(path).catch(() => "");
  return async (spec) => {
    const [passwd, groups] = await Promise.all([read("/etc/passwd"), read("/etc/group")]);
    return resolveUser(spec, parseIdFile(passwd), parseIdFile(groups));
  };
}

/**
 * A lookup that remembers what it found, so a command's user is read from
 * the files once, not at every run; a failure is not remembered (a user
 * added later is found).
 */
export function rememberingLookup(lookup: UserLookup): UserLookup {
  // The pending answer is shared too: commands starting together read the files once.
  const found = new Map<string, Promise<UserLookupResult>>();
  return (spec) => {
    const known = found.get(spec);
    if (known !== undefined) return known;
    const answer = lookup(spec)
      .catch((error: unknown): UserLookupResult => ({ ok: false, message: String(error) }))
      .then((result) => {
        if (!result.ok) found.delete(spec);
        return result;
      });
    found.set(spec, answer);
    return answer;
  };
}

/** What a command with an optional `user` runs as: no ids (the agent's user), the user's ids, or why it cannot run. */
export type CommandIds = { readonly ok: true; readonly ids?: UserIds } | { readonly ok: false; readonly message: string };

export async function commandIds(lookup: UserLookup | undefined, user: string | undefined): Promise<CommandIds> {
  if (user === undefined) return { ok: true };
  if (lookup === undefined) return { ok: false, message: `no user lookup configured for user "${user}"` };
  return lookup(user);
}
