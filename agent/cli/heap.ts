/**
 * V8 heap tuning for the long-running agent, whose live heap is small
 * but which allocates steadily (every advert). Measured sizes: bench/notes.md.
 *
 *  - V8 doubles the young generation (two semi-spaces) whenever scavenges
 *    find many survivors, up to 16 MiB per semi-space; at hundreds of
 *    instances and 100 ms adverts it stays grown for good, though little
 *    of it lives longer than an advert.
 *    Growth factor 1 keeps the initial size: more frequent, small scavenges.
 *  - The old generation may grow to about twice its live size before a full
 *    collection; 30 % keeps it near the live size at the cost of more
 *    (small: the live heap is small) full collections.
 *
 * And code that runs rarely but must be quick when it does (a takeover, the
 * stop path) keeps its bytecode: by default V8 drops the bytecode of
 * functions that have not run for a while and compiles them again on their
 * next call. (Bytecode of the agent's own code is a few hundred KiB.)
 *
 * The flags are read whenever V8 decides to grow or collect, so they can be set from
 * inside the process (unlike --max-semi-space-size or --max-old-space-size,
 * fixed when the heap is created) and hold however node was started
 * (bin/floatip, `node bin/floatip` in the image, tests). A flag
 * of the same kind given to node (command line or NODE_OPTIONS) wins.
 */
import { setFlagsFromString } from "node:v8";

const TUNING: readonly { readonly flag: string; readonly given: RegExp }[] = [
  { flag: "--semi-space-growth-factor=1", given: /semi[-_]space/ },
  { flag: "--heap-growing-percent=30", given: /heap[-_]growing|old[-_]space|max[-_]heap/ },
  { flag: "--no-flush-bytecode", given: /flush[-_]bytecode/ },
];

/** Sets the flags node was not given; returns those set. */
export function tuneAgentHeap(execArgv: readonly string[] = process.execArgv, nodeOptions = process.env["NODE_OPTIONS"] ?? ""): string[] {
  const given = [...execArgv, nodeOptions].join(" ");
  const set = TUNING.filter((t) => !t.given.test(given)).map((t) => t.flag);
  for (const flag of set) setFlagsFromString(flag);
  return set;
}
