/**
 * docs/keepalived.md's support table says what the translator does: every
 * keyword the translator knows is in the section for what it does with it,
 * so the table cannot drift from the code.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import {
  GLOBAL_IGNORED,
  GLOBAL_UNSUPPORTED,
  INSTANCE_IGNORED,
  INSTANCE_UNSUPPORTED,
  LVS_SECTIONS,
  ROOT_UNSUPPORTED,
  SYNC_GROUP_IGNORED,
  SYNC_GROUP_UNSUPPORTED,
} from "./keywords.js";
import { translatedKeywords } from "./translate.js";
import { INSTANCE_KEYWORDS } from "./translate-instance.js";

const DOC = readFileSync(fileURLToPath(new URL("../../../docs/keepalived.md", import.meta.url)), "utf8");

/** The `keyword`s in the first column of the table rows of one section, with their block (second column). */
function section(title: string): Set<string> {
  const start = DOC.indexOf(`### ${title}\n`);
  assert.ok(start >= 0, `no section "${title}"`);
  const end = DOC.indexOf("\n### ", start + 1);
  const text = DOC.slice(start, end < 0 ? undefined : end);
  const found = new Set<string>();
  for (const line of text.split("\n")) {
    const cells = line.split(" | ");
    if (!line.startsWith("| `") || cells.length < 3) continue;
    const block = cells[1]!.trim();
    for (const m of cells[0]!.matchAll(/`([^`]+)`/g)) found.add(`${block}/${m[1]}`);
  }
  return found;
}

function assertListed(rows: Set<string>, block: string, keywords: Iterable<string>): void {
  const missing = [...keywords].filter((k) => !rows.has(`${block}/${k}`));
  assert.deepEqual(missing, [], `not in the table for ${block}`);
}

describe("docs/keepalived.md support table", () => {
  it("lists every translated keyword as translated", () => {
    const rows = section("Translated");
    const known = translatedKeywords();
    for (const [block, keywords] of Object.entries(known)) assertListed(rows, block, keywords);
    assertListed(rows, "vrrp_instance", INSTANCE_KEYWORDS);
    assertListed(rows, "top level", LVS_SECTIONS);
  });

  it("lists every keyword accepted with a warning, with the warning's reason", () => {
    const rows = section("Accepted with a warning");
    assertListed(rows, "global_defs", Object.keys(GLOBAL_IGNORED));
    assertListed(rows, "vrrp_instance", Object.keys(INSTANCE_IGNORED));
    assertListed(rows, "vrrp_sync_group", Object.keys(SYNC_GROUP_IGNORED));
  });

  it("lists every refused keyword as not supported", () => {
    const rows = section("Not supported");
    assertListed(rows, "top level", Object.keys(ROOT_UNSUPPORTED));
    assertListed(rows, "global_defs", Object.keys(GLOBAL_UNSUPPORTED));
    assertListed(rows, "vrrp_instance", Object.keys(INSTANCE_UNSUPPORTED));
    assertListed(rows, "vrrp_sync_group", Object.keys(SYNC_GROUP_UNSUPPORTED));
  });

  it("lists no keyword in two sections for the same block", () => {
    const sections = ["Translated", "Accepted with a warning", "Not supported"].map(section);
    for (let i = 0; i < sections.length; i++) {
      for (let j = i + 1; j < sections.length; j++) {
        const both = [...sections[i]!].filter((k) => sections[j]!.has(k));
        assert.deepEqual(both, []);
      }
    }
  });
});
