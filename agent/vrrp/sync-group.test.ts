import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { stepSyncGroup, type GroupPhase, type MemberView, type SyncAction, type SyncEvent } from "./sync-group.js";

const m = (phase: MemberView["phase"], extra: Partial<MemberView> = {}): MemberView => ({
  phase,
  wantsMaster: false,
  ownFault: false,
  ...extra,
});

interface Row {
  readonly name: string;
  readonly state: GroupPhase;
  readonly members: Record<string, MemberView>;
  readonly event: SyncEvent;
  readonly next: GroupPhase;
  readonly actions: readonly SyncAction[];
}

const rows: Row[] = [
  {
    name: "first member up as backup: group BACKUP",
    state: "initialize",
    members: { a: m("backup"), b: m("initialize") },
    event: { type: "transition", member: "a", from: "initialize", to: "backup" },
    next: "backup",
    actions: [{ type: "notify", state: "BACKUP" }],
  },
  {
    name: "a member wants master while the other hears a master: nothing",
    state: "backup",
    members: { a: m("backup", { wantsMaster: true }), b: m("backup") },
    event: { type: "want-master", member: "a" },
    next: "backup",
    actions: [],
  },
  {
    name: "the last member wants master too: all take over together",
    state: "backup",
    members: { a: m("backup", { wantsMaster: true }), b: m("backup", { wantsMaster: true }) },
    event: { type: "want-master", member: "b" },
    next: "master",
    actions: [
      { type: "take-over", member: "a" },
      { type: "take-over", member: "b" },
      { type: "notify", state: "MASTER" },
    ],
  },
  {
    name: "a member in FAULT of its own puts all in FAULT",
    state: "master",
    members: { a: m("fault", { ownFault: true }), b: m("master") },
    event: { type: "transition", member: "a", from: "master", to: "fault" },
    next: "fault",
    actions: [
      { type: "fault", member: "a", on: true },
      { type: "fault", member: "b", on: true },
      { type: "notify", state: "FAULT" },
    ],
  },
  {
    name: "a member put in FAULT by the group changes nothing more",
    state: "fault",
    members: { a: m("fault", { ownFault: true }), b: m("fault") },
    event: { type: "transition", member: "b", from: "master", to: "fault" },
    next: "fault",
    actions: [],
  },
  {
    name: "the last own cause gone: the group leaves FAULT for BACKUP",
    state: "fault",
    members: { a: m("fault"), b: m("fault") },
    event: { type: "transition", member: "a", from: "fault", to: "fault" },
    next: "backup",
    actions: [
      { type: "fault", member: "a", on: false },
      { type: "fault", member: "b", on: false },
      { type: "notify", state: "BACKUP" },
    ],
  },
  {
    name: "a master member hears a higher priority: the others leave master too",
    state: "master",
    members: { a: m("backup"), b: m("master"), c: m("master") },
    event: { type: "transition", member: "a", from: "master", to: "backup" },
    next: "backup",
    actions: [
      { type: "yield", member: "b" },
      { type: "yield", member: "c" },
      { type: "notify", state: "BACKUP" },
    ],
  },
  {
    name: "a member that became master by itself pulls the backups along",
    state: "backup",
    members: { a: m("master"), b: m("backup") },
    event: { type: "transition", member: "a", from: "backup", to: "master" },
    next: "master",
    actions: [
      { type: "take-over", member: "b" },
      { type: "notify", state: "MASTER" },
    ],
  },
  {
    name: "group master: a backup member that wants master takes over",
    state: "master",
    members: { a: m("master"), b: m("backup", { wantsMaster: true }) },
    event: { type: "want-master", member: "b" },
    next: "master",
    actions: [{ type: "take-over", member: "b" }],
  },
  {
    name: "want master in FAULT: nothing",
    state: "fault",
    members: { a: m("backup", { wantsMaster: true }), b: m("fault", { ownFault: true }) },
    event: { type: "want-master", member: "a" },
    next: "fault",
    actions: [],
  },
  {
    name: "every member stopped: STOP once",
    state: "master",
    members: { a: m("initialize"), b: m("initialize") },
    event: { type: "transition", member: "b", from: "master", to: "initialize" },
    next: "initialize",
    actions: [{ type: "notify", state: "STOP" }],
  },
];

describe("stepSyncGroup (keepalived vrrp_sync_group)", () => {
  for (const row of rows) {
    it(row.name, () => {
      const result = stepSyncGroup(row.state, new Map(Object.entries(row.members)), row.event);
      assert.equal(result.state, row.next);
      assert.deepEqual(result.actions, row.actions);
    });
  }
});
