import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { stickyMaster } from "./sticky-master.js";
import type { VirtualIPStatus } from "../api/types.js";

const all = new Set(["a", "b", "c"]);
const report = (name: string, state: string, priority: number) => ({ name, state, priority });

describe("stickyMaster", () => {
  const rows: [string, VirtualIPStatus | undefined, ReadonlySet<string>, string | undefined][] = [
    ["no status: nothing to keep", undefined, all, undefined],
    [
      "only backups reported, none at the top priority (start-up): nothing to keep",
      { nodes: [report("b", "Backup", 240)] },
      all,
      undefined,
    ],
    ["the master at the top priority", { master: "a", nodes: [report("a", "Master", 250), report("b", "Backup", 240)] }, all, "a"],
    [
      "a lower-ranked node won a moment: the top-priority node is kept",
      { master: "b", nodes: [report("b", "Master", 240), report("a", "Backup", 250)] },
      all,
      "a",
    ],
    ["a reported master without priorities", { master: "c" }, all, "c"],
    [
      "the master left: its running backup with the highest priority",
      { master: "a", nodes: [report("a", "Master", 250), report("c", "Backup", 230), report("b", "Backup", 240)] },
      new Set(["b", "c"]),
      "b",
    ],
    [
      "the protocol already moved it: the new master",
      { master: "b", nodes: [report("b", "Master", 240), report("c", "Backup", 230)] },
      new Set(["b", "c"]),
      "b",
    ],
    [
      "a master not usable and no backup running: nothing to keep",
      { master: "a", nodes: [report("a", "Master", 250)] },
      new Set(["b"]),
      undefined,
    ],
    ["Unknown and Fault states vouch for nothing", { nodes: [report("a", "Unknown", 250), report("b", "Fault", 250)] }, all, undefined],
  ];
  for (const [name, status, usable, want] of rows) {
    it(name, () => assert.equal(stickyMaster(status, usable), want));
  }
});
