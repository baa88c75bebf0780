/**
 * fast-check generators for the three parsers: valid and nearly valid VRRP
 * adverts, keepalived.conf token soups and structured configs, and floatip
 * YAML documents built from the schema's keys.
 */
import fc from "fast-check";
import yaml from "js-yaml";
import { formatAddress } from "../agent/vrrp/address-bytes.js";
import { encodeAdvert, vrrpMessageLength } from "../agent/vrrp/codec.js";
import type { Advert } from "../agent/vrrp/packet.js";
import type { Family } from "../agent/config/types.js";
import {
  ADDRESSING,
  encodeAdvertCase as encodeAdvertCaseBytes,
  encodeKeepalivedCase as encodeKeepalivedCaseBytes,
  type AdvertCase,
  type ChecksumMode,
} from "./targets/inputs.js";

// ---------------------------------------------------------------------------
// VRRP

const addressBytes = (family: Family): fc.Arbitrary<Uint8Array> =>
  family === 4
    ? fc.uint8Array({ minLength: 4, maxLength: 4 })
    : fc.oneof(
        fc.uint8Array({ minLength: 16, maxLength: 16 }),
        // mostly-zero addresses exercise "::" shortening and the ::ffff:a.b.c.d form
        fc.array(fc.constantFrom(0, 0, 0, 1, 0xff), { minLength: 16, maxLength: 16 }).map((a) => Uint8Array.from(a)),
        fc.uint8Array({ minLength: 4, maxLength: 4 }).map((v4) => Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, ...v4])),
      );

const addressText = (family: Family): fc.Arbitrary<string> => addressBytes(family).map((b) => formatAddress(family, b));

/** A password as keepalived's auth_pass: at most 8 UTF-8 bytes, no trailing NUL (the field is NUL-padded). */
const password: fc.Arbitrary<string> = fc
  .string({
    unit: fc.oneof(fc.constantFrom("a", "Z", "0", " ", "\0", "é", "€", "🦀"), fc.string({ unit: "grapheme", minLength: 1, maxLength: 1 })),
    maxLength: 8,
  })
  .filter((p) => Buffer.byteLength(p, "utf8") <= 8 && !p.endsWith("\0") && Buffer.from(p, "utf8").toString("utf8") === p);

const count = fc.oneof({ weight: 8, arbitrary: fc.nat(12) }, { weight: 1, arbitrary: fc.integer({ min: 200, max: 255 }) });

/** An encodable advert and the IP addressing it is sent with (valid for the pseudo-header). */
export const validAdvert: fc.Arbitrary<{ advert: Advert; addressing: { source: string; destination: string } }> = fc
  .constantFrom<[2 | 3, Family]>([2, 4], [3, 4], [3, 6])
  .chain(([version, family]) =>
    fc
      .record({
        virtualRouterId: fc.integer({ min: 1, max: 255 }),
        priority: fc.integer({ min: 0, max: 255 }),
        interval: version === 2 ? fc.integer({ min: 1, max: 255 }) : fc.integer({ min: 1, max: 0x0fff }),
        addresses: count.chain((n) => fc.array(addressText(family), { minLength: n, maxLength: n })),
        auth: version === 2 ? fc.option(password, { nil: undefined }) : fc.constant(undefined),
        addressing: fc.constantFrom(...ADDRESSING.slice(0, 4).filter((a) => a.source.includes(":") === (family === 6))),
      })
      .map(({ virtualRouterId, priority, interval, addresses, auth, addressing }) => {
        const advert: Advert = {
          version,
          family,
          virtualRouterId,
          priority,
          advertIntervalMs: version === 2 ? interval * 1000 : interval * 10,
          addresses,
          ...(version === 2 ? (auth === undefined ? { authType: 0 } : { authType: 1, password: Buffer.from(auth, "utf8") }) : {}),
        };
        return { advert, addressing };
      }),
  );

/** A valid advert as a target case, sometimes with one byte changed. */
export const advertCase: fc.Arbitrary<AdvertCase> = fc
  .tuple(validAdvert, fc.option(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { nil: undefined }))
  .map(([{ advert, addressing }, mutation]) => {
    const payload = encodeAdvert(advert, addressing);
    if (mutation !== undefined) {
      const [at, delta] = mutation;
      payload[at % payload.length] = (payload[at % payload.length]! + delta) & 0xff;
    }
    return { family: advert.family, checksum: "as-given" as ChecksumMode, addressing: ADDRESSING.indexOf(addressing), payload };
  });

/**
 * A message whose header is plausible (version, type, a length matching
 * the count most of the time) and whose body is random, with the checksum
 * often fixed up so decoding reaches the address and auth code.
 */
export const headerShapedCase: fc.Arbitrary<AdvertCase> = fc
  .record({
    family: fc.constantFrom<Family>(4, 6),
    version: fc.oneof({ weight: 6, arbitrary: fc.constantFrom(2, 3) }, { weight: 1, arbitrary: fc.nat(15) }),
    type: fc.oneof({ weight: 6, arbitrary: fc.constant(1) }, { weight: 1, arbitrary: fc.nat(15) }),
    count,
    slack: fc.oneof({ weight: 6, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: -9, max: 9 }) }),
    header: fc.uint8Array({ minLength: 8, maxLength: 8 }),
    seed: fc.integer(),
    checksum: fc.constantFrom<ChecksumMode>("pseudo", "no-pseudo", "as-given"),
    addressing: fc.nat(ADDRESSING.length - 1),
  })
  .map(({ family, version, type, count, slack, header, seed, checksum, addressing }) => {
    const v = version === 2 || version === 3 ? version : 3;
    const length = Math.max(0, vrrpMessageLength(v, family, count) + slack);
    const payload = Buffer.alloc(length);
    let x = seed | 1;
    for (let i = 0; i < length; i++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      payload[i] = x & 0xff;
    }
    payload.set(header.subarray(0, Math.min(8, length)));
    if (length > 0) payload[0] = ((version & 15) << 4) | (type & 15);
    if (length > 3) payload[3] = count;
    return { family, checksum, addressing, payload };
  });

/** Anything at all. */
export const rawAdvertCase: fc.Arbitrary<AdvertCase> = fc.record({
  family: fc.constantFrom<Family>(4, 6),
  checksum: fc.constantFrom<ChecksumMode>("as-given", "no-pseudo", "pseudo"),
  addressing: fc.nat(ADDRESSING.length - 1),
  payload: fc.uint8Array({ maxLength: 600 }).map((b) => Buffer.from(b)),
});

// ---------------------------------------------------------------------------
// keepalived.conf

const ROOT_KEYWORDS = [
  "global_defs",
  "vrrp_script",
  "track_file",
  "vrrp_track_file",
  "vrrp_instance",
  "vrrp_sync_group",
  "virtual_server",
  "static_ipaddress",
];
const GLOBAL_KEYWORDS = [
  "router_id",
  "enable_script_security",
  "script_user",
  "vrrp_version",
  "vrrp_garp_master_delay",
  "vrrp_garp_master_repeat",
  "vrrp_garp_master_refresh",
  "vrrp_garp_master_refresh_repeat",
  "notification_email",
  "vrrp_strict",
  "vrrp_skip_check_adv_addr",
];
const SCRIPT_KEYWORDS = ["script", "interval", "timeout", "fall", "rise", "weight", "init_fail", "user", "file", "init_file"];
const INSTANCE_KEYWORDS = [
  "state",
  "interface",
  "virtual_router_id",
  "priority",
  "advert_int",
  "version",
  "nopreempt",
  "preempt",
  "preempt_delay",
  "virtual_ipaddress",
  "authentication",
  "auth_type",
  "auth_pass",
  "unicast_src_ip",
  "unicast_peer",
  "track_script",
  "track_interface",
  "track_file",
  "notify",
  "notify_master",
  "notify_backup",
  "notify_fault",
  "notify_stop",
  "garp_master_delay",
  "garp_master_repeat",
  "garp_master_refresh",
  "garp_master_refresh_repeat",
  "use_vmac",
  "dont_track_primary",
  "mcast_src_ip",
  "virtual_routes",
  "smtp_alert",
];
const OPTION_WORDS = [
  "dev",
  "label",
  "scope",
  "global",
  "link",
  "brd",
  "weight",
  "reverse",
  "MASTER",
  "BACKUP",
  "PASS",
  "AH",
  "peer",
  "nodad",
];
export const KEEPALIVED_KEYWORDS = [...ROOT_KEYWORDS, ...GLOBAL_KEYWORDS, ...SCRIPT_KEYWORDS, ...INSTANCE_KEYWORDS];

const numberWord = fc.oneof(
  fc.integer({ min: -300, max: 300 }).map(String),
  fc.constantFrom(
    "0",
    "1",
    "2",
    "3",
    "51",
    "100",
    "150",
    "254",
    "255",
    "256",
    "0.015",
    "0.15",
    "1.5",
    "0.0001",
    "4095",
    "1e3",
    "-0",
    "+5",
    "007",
    "99999999999999999999",
  ),
  fc.tuple(fc.nat(300), fc.nat(9999)).map(([a, b]) => `${a}.${b}`),
);
const addressWord = fc.oneof(
  addressText(4),
  addressText(6),
  fc.tuple(addressText(4), fc.nat(40)).map(([a, p]) => `${a}/${p}`),
  fc.tuple(addressText(6), fc.nat(140)).map(([a, p]) => `${a}/${p}`),
  fc.constantFrom("192.0.2.5", "192.0.2.300", "2001:db8::5", "fe80::1%eth0", "1.2.3", "::", "::ffff:192.0.2.1", "10.0.0.1/24/8", "eth0"),
);
const nameWord = fc.oneof(
  fc.constantFrom(
    "VI_1",
    "VI_2",
    "eth0",
    "ens3",
    "chk",
    "chk_sshd",
    "/bin/true",
    "/etc/keepalived/notify.sh",
    "nobody",
    "root:root",
    "eth0:a-long-label",
  ),
  fc.stringMatching(/^[A-Za-z0-9_./:-]{1,20}$/),
);
const junkWord = fc.string({ unit: "grapheme", minLength: 1, maxLength: 12 }).map((s) => s.replace(/[\s"{}#!\\\0]/g, "x"));
const word = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...KEEPALIVED_KEYWORDS) },
  { weight: 2, arbitrary: fc.constantFrom(...OPTION_WORDS) },
  { weight: 4, arbitrary: numberWord },
  { weight: 3, arbitrary: addressWord },
  { weight: 3, arbitrary: nameWord },
  { weight: 1, arbitrary: junkWord },
);
const includeLine = fc.constantFrom(
  "include inc/*.conf",
  "include inc/1.conf",
  "include inc/2.conf",
  "include 1.conf",
  "include 2.conf",
  "include *.conf",
  "include ../keepalived.conf",
  "include /k/inc/3.conf",
  "include inc/?.conf",
  "include",
  "include a b",
  'include "inc/1.conf"',
  "include inc/{1,2}.conf",
  "include inc/[12].conf",
  "include nope/*.conf",
  "include /k/*/*.conf",
  "include ../../../etc/*",
);
const soupToken = fc.oneof(
  { weight: 12, arbitrary: word },
  { weight: 4, arbitrary: fc.constantFrom("{", "}") },
  { weight: 4, arbitrary: fc.constantFrom("\n", "\n", "\r\n", "\n\n") },
  { weight: 1, arbitrary: fc.constantFrom("\t", "  ", "\r") },
  {
    weight: 2,
    arbitrary: fc.tuple(fc.constantFrom("#", "!"), fc.string({ maxLength: 10 })).map(([c, t]) => `${c}${t.replace(/[\r\n\0]/g, "")}`),
  },
  { weight: 2, arbitrary: fc.string({ maxLength: 12 }).map((t) => `"${t.replace(/["\r\n\0]/g, "")}"`) },
  { weight: 1, arbitrary: fc.string({ maxLength: 8 }).map((t) => `"${t.replace(/["\r\n\0]/g, "")}`) }, // unterminated
  { weight: 1, arbitrary: fc.constantFrom("\\#", "\\!", "\\\n", "\\ \n", "\\", "a\\b", "{}", "}{", "{{", "}}") },
  { weight: 2, arbitrary: includeLine.map((l) => `\n${l}\n`) },
);

/** A soup of real keywords, values, braces, quotes, comments, continuations and includes. */
export const keepalivedSoup: fc.Arbitrary<string> = fc
  .array(fc.tuple(soupToken, fc.constantFrom(" ", " ", "\n", "", "\t")), { maxLength: 80 })
  .map((parts) => parts.map(([t, sep]) => t + sep).join(""));

// A mostly valid config, to reach translation and validation and their error mapping.
const statement = (keyword: string, value: fc.Arbitrary<string>): fc.Arbitrary<string> => value.map((v) => `${keyword} ${v}`);
const blockOf = (head: string, body: fc.Arbitrary<string[]>): fc.Arbitrary<string[]> =>
  body.map((lines) => [`${head} {`, ...lines.map((l) => `  ${l}`), "}"]);
const maybe = <T>(a: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> => fc.option(a, { nil: undefined, freq: 2 });

/** Mostly `good`, now and then `bad`: each statement is usually right so that whole configs often are. */
const goodish = <T>(good: fc.Arbitrary<T>, bad: fc.Arbitrary<T>): fc.Arbitrary<T> =>
  fc.oneof({ weight: 24, arbitrary: good }, { weight: 1, arbitrary: bad });
/** Rarely present. */
const rare = <T>(a: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> =>
  fc.oneof({ weight: 12, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: a });
const secondsWord = goodish(fc.constantFrom("1", "2", "3", "0.5", "0.15", "5", "10"), numberWord);
const wholeSecondsWord = goodish(fc.constantFrom("0", "1", "2", "5", "60"), numberWord);
const badWord = fc.oneof(numberWord, nameWord, addressWord);

const instanceBlock = (name: string, vrid: number, family: Family): fc.Arbitrary<string[]> =>
  fc
    .tuple(
      fc.constant<string[]>([`interface ${family === 4 ? "eth0" : "eth1"}`]),
      fc.constant<string[]>([`virtual_router_id ${vrid}`]),
      blockOf(
        "virtual_ipaddress",
        fc
          .array(goodish(family === 4 ? addressText(4) : addressText(6), addressWord), { minLength: 1, maxLength: 4 })
          .map((as) => [...new Set(as)]),
      ),
      maybe(statement("state", goodish(fc.constantFrom("MASTER", "BACKUP"), badWord))),
      maybe(statement("priority", goodish(fc.integer({ min: 1, max: 254 }).map(String), numberWord))),
      maybe(statement("advert_int", secondsWord)),
      maybe(statement("version", goodish(fc.constant(family === 4 ? "2" : "3"), numberWord))),
      maybe(fc.constantFrom("nopreempt", "preempt", "preempt_delay 5", "preempt_delay 0.5")),
      maybe(
        family === 4
          ? blockOf(
              "authentication",
              goodish<string[]>(
                fc.constant(["auth_type PASS", "auth_pass secret"]),
                fc.constantFrom(["auth_type AH"], ["auth_pass 123456789"], []),
              ),
            )
          : rare(fc.constant<string[]>(["smtp_alert"])),
      ),
      maybe(blockOf("unicast_peer", fc.array(goodish(addressText(family), addressWord), { minLength: 1, maxLength: 3 }))),
      maybe(
        blockOf(
          "track_script",
          goodish<string[]>(
            fc.constantFrom(["chk"], ["chk weight 10"], ["chk weight -5 reverse"]),
            fc.constantFrom(["nope"], ["chk weight"], ["chk {"]),
          ),
        ),
      ),
      maybe(
        blockOf(
          "track_interface",
          goodish<string[]>(fc.constantFrom(["eth0"], ["eth0 weight 5"]), fc.constantFrom(["eth0 weight x"], ["eth0 bogus 1"])),
        ),
      ),
      maybe(
        goodish(
          fc.constantFrom(
            'notify "/bin/notify.sh"',
            "notify_master /bin/up",
            "garp_master_delay 2",
            "garp_master_repeat 3",
            "garp_master_refresh 60",
          ),
          fc.constantFrom("notify_backup /bin/down root", "garp_master_delay 0.5"),
        ),
      ),
      rare(fc.constantFrom(...INSTANCE_KEYWORDS).chain((k) => statement(k, badWord))),
    )
    .chain((parts) => {
      // Statements (or whole sub-blocks) stay together; their order is shuffled, and now and then one is dropped.
      const groups: string[][] = parts.filter((p) => p !== undefined).map((p) => (typeof p === "string" ? [p] : p));
      const order = fc.oneof(
        { weight: 6, arbitrary: fc.shuffledSubarray(groups, { minLength: groups.length }) },
        { weight: 1, arbitrary: fc.shuffledSubarray(groups, { minLength: Math.max(0, groups.length - 1) }) },
      );
      return blockOf(
        `vrrp_instance ${name}`,
        order.map((gs) => gs.flat()),
      );
    });

const scriptBlock: fc.Arbitrary<string[]> = blockOf(
  "vrrp_script chk",
  fc
    .tuple(
      goodish(
        fc.constantFrom('script "/bin/true"', "script /bin/true", 'script "/usr/bin/pkill -0 sshd"'),
        fc.constantFrom("script /bin/a b", "script", 'script ""'),
      ),
      maybe(statement("interval", secondsWord)),
      maybe(statement("timeout", secondsWord)),
      maybe(statement("weight", goodish(fc.integer({ min: -253, max: 253 }).map(String), numberWord))),
      maybe(statement("fall", goodish(fc.integer({ min: 1, max: 5 }).map(String), numberWord))),
      maybe(statement("rise", goodish(fc.integer({ min: 1, max: 5 }).map(String), numberWord))),
      maybe(goodish(fc.constantFrom("init_fail", "user nobody"), fc.constant("user root:root"))),
    )
    .map((ls) => ls.filter((l): l is string => l !== undefined)),
);

const globalDefs: fc.Arbitrary<string[]> = blockOf(
  "global_defs",
  fc
    .tuple(
      maybe(
        goodish(
          fc.constantFrom("router_id lb1", "enable_script_security", "script_user nobody"),
          fc.constantFrom("vrrp_strict", "router_id"),
        ),
      ),
      maybe(statement("vrrp_version", goodish(fc.constantFrom("2", "3"), numberWord))),
      maybe(statement("vrrp_garp_master_repeat", goodish(fc.integer({ min: 1, max: 100 }).map(String), numberWord))),
      maybe(statement("vrrp_garp_master_delay", wholeSecondsWord)),
    )
    .map((ls) => ls.filter((l): l is string => l !== undefined)),
);

/** Reformats lines: indentation, brace placement, comments, CRLF, continuations. */
const layout = (lines: readonly string[]): fc.Arbitrary<string> =>
  fc.array(fc.nat(9), { minLength: lines.length, maxLength: lines.length }).map((styles) =>
    lines
      .map((line, i) => {
        const s = styles[i]!;
        if (s === 1 && line.endsWith(" {")) return `${line.slice(0, -2)}\n{`; // brace on the next line
        if (s === 2) return `${line} # comment`;
        if (s === 3) return `\t${line}\r`;
        if (s === 4 && line.includes(" ")) return line.replace(" ", " \\\n  "); // continuation
        if (s === 5) return `${line}\n! bang comment`;
        return line;
      })
      .join("\n"),
  );

/** A plausible keepalived.conf split over 1-3 files through include lines. */
export const keepalivedStructured: fc.Arbitrary<string[]> = fc
  .tuple(
    maybe(globalDefs),
    maybe(scriptBlock),
    fc.uniqueArray(fc.integer({ min: 1, max: 255 }), { minLength: 1, maxLength: 3 }),
    fc.constantFrom<Family>(4, 4, 6),
    fc.nat(2),
  )
  .chain(([defs, script, vrids, family, split]) =>
    fc.tuple(
      fc.constant(defs ?? []),
      fc.constant(script ?? []),
      fc.tuple(...vrids.map((v, i) => instanceBlock(`VI_${i}`, v, family))),
      fc.constant(split),
    ),
  )
  .chain(([defs, script, instances, split]) =>
    fc.tuple(layout(defs), layout(script), fc.tuple(...instances.map(layout)), fc.constant(split)),
  )
  .map(([defs, script, instances, split]) => {
    if (split === 0) return [[defs, script, ...instances].join("\n") + "\n"];
    if (split === 1) return [`${defs}\ninclude inc/*.conf\n`, `${script}\n`, instances.join("\n") + "\n"];
    return [`include inc/1.conf\n${instances.join("\n")}\n`, `${defs}\ninclude 2.conf\n`, `${script}\n`];
  });

/** Files for the keepalived target: a soup or a structured config, sometimes with soup include files. */
export const keepalivedFiles: fc.Arbitrary<string[]> = fc.oneof(
  fc.array(keepalivedSoup, { minLength: 1, maxLength: 4 }),
  keepalivedStructured,
  fc.tuple(keepalivedStructured, fc.array(keepalivedSoup, { maxLength: 2 })).map(([s, extra]) => [...s, ...extra]),
);

/** Deep `{` nesting, for the recursion check; the text is open×depth + close×depth. */
export function deepNestingOf(maxDepth: number): fc.Arbitrary<{ depth: number; open: string; close: string }> {
  return fc.record({
    depth: fc.integer({ min: 20, max: maxDepth }),
    open: fc.constantFrom("a {\n", "a{", "vrrp_instance X {\n", "b {"),
    close: fc.constantFrom("}\n", "}"),
  });
}
export const deepNesting = deepNestingOf(12_000);

/** Include graphs without cycles: file i includes files j > i, possibly several times. */
export const includeDag: fc.Arbitrary<string[]> = fc.integer({ min: 2, max: 24 }).chain((n) =>
  fc.array(fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 3 }), { minLength: n, maxLength: n }).map((edges) =>
    edges.map((steps, i) => {
      const here = i === 0 ? "inc/" : "";
      const targets = steps.map((s) => i + s).filter((j) => j < n);
      return targets.map((j) => `include ${here}${j}.conf`).join("\n") + `\n# file ${i}\n`;
    }),
  ),
);

// ---------------------------------------------------------------------------
// floatip YAML

const SCHEMA_KEYS = {
  root: ["scripts", "trackFiles", "instances"],
  instance: [
    "name",
    "interface",
    "virtualRouterID",
    "version",
    "priority",
    "advertisementInterval",
    "preempt",
    "preemptDelay",
    "initialState",
    "addresses",
    "authentication",
    "unicast",
    "garp",
    "track",
    "notify",
    "stateFile",
  ],
  script: ["name", "command", "interval", "timeout", "weight", "reverse", "fall", "rise", "initFail", "user"],
  trackFile: ["name", "path", "weight"],
  address: ["address", "device", "label"],
  authentication: ["type", "password", "secretRef"],
  unicast: ["source", "peers"],
  garp: ["repeat", "delay", "refresh", "refreshRepeat", "interval"],
  track: ["scripts", "interfaces", "files", "pods"],
  trackRef: ["name", "weight", "reverse"],
  notify: ["any", "master", "backup", "fault", "stop", "timeout"],
  pods: ["namespace", "selector", "weight"],
} as const;
export const YAML_KEYS: readonly string[] = [...new Set(Object.values(SCHEMA_KEYS).flat())];

const scalar: fc.Arbitrary<unknown> = fc.oneof(
  fc.integer({ min: -300, max: 300 }),
  fc.constantFrom(0, 1, 2, 3, 255, 256, -1, 1.5, 0.01, 1e308, Number.MAX_SAFE_INTEGER, 40950, 4095),
  fc.double({ noNaN: false }),
  fc.boolean(),
  fc.constant(null),
  fc.constantFrom(
    "1s",
    "100ms",
    "0.5s",
    "2m",
    "1h",
    "10",
    "0",
    "1.5",
    "-1s",
    "1d",
    " 1 s ",
    "1e3s",
    "9".repeat(400) + "s",
    "0.0001ms",
    "NaN",
    "Infinity",
  ),
  fc.constantFrom(
    "192.0.2.5",
    "192.0.2.5/24",
    "2001:db8::5/64",
    "fe80::1",
    "192.0.2.300",
    "::",
    "1.2.3.4/33",
    "backup",
    "master",
    "pass",
    "eth0",
    "/run/state",
    "relative/path",
    "",
  ),
  fc.string({ maxLength: 20 }),
  addressText(4),
  addressText(6),
);

/** A value for a key: usually the right kind of thing, sometimes anything. */
const valueFor = (depth: number): fc.Arbitrary<unknown> =>
  depth <= 0
    ? scalar
    : fc.oneof(
        { weight: 6, arbitrary: scalar },
        {
          weight: 2,
          arbitrary: fc.array(fc.oneof(scalar, objectOf("address", depth - 1), objectOf("trackRef", depth - 1)), { maxLength: 4 }),
        },
        {
          weight: 1,
          arbitrary: fc
            .constantFrom(...(Object.keys(SCHEMA_KEYS) as (keyof typeof SCHEMA_KEYS)[]))
            .chain((kind) => objectOf(kind, depth - 1)),
        },
      );

function objectOf(kind: keyof typeof SCHEMA_KEYS, depth: number): fc.Arbitrary<Record<string, unknown>> {
  const keys = SCHEMA_KEYS[kind];
  return fc
    .tuple(fc.subarray([...keys]), fc.array(fc.oneof(fc.constantFrom(...YAML_KEYS), fc.string({ maxLength: 8 })), { maxLength: 1 }))
    .chain(([chosen, extra]) => fc.tuple(...[...chosen, ...extra].map((k) => fc.tuple(fc.constant(k), valueFor(depth)))))
    .map((entries) => Object.fromEntries(entries));
}

/** A duration value: usually a sensible one, now and then an extreme or malformed one. */
const durationValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 20, arbitrary: fc.constantFrom<unknown>("1s", "2s", "100ms", "0.5s", 1, 3, "5s", "0s", 0, "2m") },
  {
    weight: 1,
    arbitrary: fc.oneof(
      fc.constantFrom<unknown>("9".repeat(400) + "s", "1e400", -1, "1d", " 1 s ", "99999999999s", "0.0001ms", "1.5h", null, true),
      fc.stringMatching(/^\d{1,400}(\.\d{1,5})?(ms|s|m|h)?$/),
    ),
  },
);

const goodScript = (i: number): fc.Arbitrary<Record<string, unknown>> =>
  fc.record(
    {
      name: fc.constant(`chk${i}`),
      command: fc.constantFrom("/bin/true", "/usr/bin/pkill -0 sshd"),
      interval: durationValue,
      timeout: durationValue,
      weight: fc.integer({ min: -253, max: 253 }),
      reverse: fc.boolean(),
      fall: fc.integer({ min: 1, max: 5 }),
      rise: fc.integer({ min: 1, max: 5 }),
      initFail: fc.boolean(),
      user: fc.constant("nobody"),
    },
    { requiredKeys: ["name", "command"] },
  );

const goodInstance = (i: number, scripts: number): fc.Arbitrary<Record<string, unknown>> =>
  fc.record(
    {
      name: fc.constant(`vi${i}`),
      interface: fc.constantFrom("eth0", "eth1"),
      virtualRouterID: fc.integer({ min: 1, max: 255 }),
      version: fc.constantFrom(2, 3),
      priority: fc.integer({ min: 1, max: 255 }),
      advertisementInterval: fc.oneof(
        { weight: 4, arbitrary: fc.constantFrom<unknown>("1s", "2s", 1, 3, "100ms") },
        { weight: 1, arbitrary: durationValue },
      ),
      preempt: fc.boolean(),
      preemptDelay: durationValue,
      initialState: fc.constantFrom("backup", "master"),
      addresses: fc.array(addressText(4), { minLength: 1, maxLength: 3 }).map((a) => [...new Set(a)]),
      garp: fc.record(
        { repeat: fc.integer({ min: 1, max: 100 }), delay: durationValue, refresh: durationValue, interval: durationValue },
        { requiredKeys: [] },
      ),
      notify: fc.record({ master: fc.constant("/bin/up"), timeout: durationValue }, { requiredKeys: [] }),
      track: fc.constant({ scripts: Array.from({ length: scripts }, (_, j) => `chk${j}`) }),
      stateFile: fc.constant("/run/floatip.state"),
    },
    { requiredKeys: ["name", "interface", "virtualRouterID", "addresses"] },
  );

/** A YAML-form config object: mostly well-formed, with wrong values and unknown keys mixed in. */
export const yamlObject: fc.Arbitrary<unknown> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.nat(2)).chain(([n, k]) =>
      fc.record({
        scripts: fc.tuple(...Array.from({ length: k }, (_, j) => goodScript(j))),
        instances: fc.tuple(...Array.from({ length: n }, (_, i) => goodInstance(i, k))),
      }),
    ),
  },
  {
    weight: 4,
    arbitrary: fc.record(
      {
        scripts: fc.array(objectOf("script", 1), { maxLength: 2 }),
        trackFiles: fc.array(objectOf("trackFile", 1), { maxLength: 2 }),
        instances: fc.array(fc.oneof(objectOf("instance", 2), goodInstance(9, 0)), { maxLength: 3 }),
      },
      { requiredKeys: ["instances"] },
    ),
  },
  { weight: 1, arbitrary: objectOf("root", 3) },
  { weight: 1, arbitrary: valueFor(2) },
);

/** YAML text: a dumped object in block or flow style, sometimes with random edits. */
export const yamlText: fc.Arbitrary<string> = fc
  .tuple(
    yamlObject,
    fc.constantFrom(-1, 0, 1, 2),
    fc.array(
      fc.tuple(
        fc.nat(),
        fc.nat(6),
        fc.constantFrom(
          "",
          " ",
          ":",
          "-",
          "\n",
          "  ",
          "[",
          "{",
          "}",
          "]",
          "'",
          '"',
          "&a",
          "*a",
          "!!str",
          "#",
          ",",
          "\t",
          "? ",
          "<<: *a",
          "%",
          "@",
        ),
      ),
      { maxLength: 3 },
    ),
  )
  .map(([obj, flowLevel, edits]) => {
    let text = yaml.dump(obj, { schema: yaml.CORE_SCHEMA, flowLevel, skipInvalid: true, lineWidth: -1 });
    for (const [at, cut, insert] of edits) {
      const i = at % (text.length + 1);
      text = text.slice(0, i) + insert + text.slice(i + cut);
    }
    return text;
  });

/**
 * Documents that reuse the same nodes many times through anchors and aliases
 * (yaml.dump writes `&ref` / `*ref` for repeated objects): `n` instances share
 * one object whose pod selector has shared match expressions and labels.
 * Sizes are drawn from `sizes`; small by default.
 */
export function yamlAliased(sizes: { min: number; max: number } = { min: 0, max: 100 }): fc.Arbitrary<string> {
  const n = fc.integer(sizes);
  return fc
    .record({
      instances: n,
      expressions: n,
      values: n,
      labels: n,
      addresses: fc.integer({ min: 1, max: 300 }),
      flowLevel: fc.constantFrom(-1, 2, 4),
    })
    .map(({ instances, expressions, values, labels, addresses, flowLevel }) => {
      const expression = { key: "app", operator: "In", values: Array.from({ length: values }, (_, i) => `v${i}`) };
      const selector = {
        ...(labels > 0 ? { matchLabels: Object.fromEntries(Array.from({ length: labels }, (_, i) => [`k${i}`, "v"])) } : {}),
        ...(expressions > 0 ? { matchExpressions: Array.from({ length: expressions }, () => expression) } : {}),
      };
      const instance = {
        name: "vi",
        interface: "eth0",
        virtualRouterID: 1,
        addresses: Array.from({ length: addresses }, () => "192.0.2.1"),
        track: { pods: { namespace: "default", selector } },
      };
      const doc = { instances: Array.from({ length: Math.max(1, instances) }, () => instance) };
      return yaml.dump(doc, { schema: yaml.CORE_SCHEMA, flowLevel, lineWidth: -1 });
    });
}

const yamlToken = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...YAML_KEYS).map((k) => `${k}:`) },
  { weight: 4, arbitrary: fc.constantFrom("\n", "\n  ", "\n    ", "\n- ", "\n  - ", "- ", " ") },
  { weight: 3, arbitrary: scalar.map((v) => (typeof v === "string" ? v : (JSON.stringify(v) ?? "null"))) },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      "{",
      "}",
      "[",
      "]",
      ",",
      "&a ",
      "*a",
      "&b ",
      "*b",
      "!!str ",
      "!!int ",
      "!!map ",
      "!!seq ",
      "!!binary ",
      "!!timestamp ",
      "!custom ",
      "|",
      ">",
      "|-",
      "---",
      "...",
      "%YAML 1.2\n",
      "%TAG ! tag:x,2000:\n",
      "# c",
      "<<: *a",
      "? ",
      '"',
      "'",
      "\\",
      "\t",
      "~",
      ".inf",
      "-.inf",
      ".nan",
      "0x1F",
      "0o17",
      "1e400",
      "__proto__:",
      "constructor:",
    ),
  },
);

/** Raw YAML token soup built from the schema's keys and YAML syntax. */
export const yamlSoup: fc.Arbitrary<string> = fc.array(yamlToken, { maxLength: 60 }).map((t) => t.join(""));

// ---------------------------------------------------------------------------
// Byte inputs of the targets (fuzz/targets/), for the driver in fuzz/run.ts

/** A few byte-level edits: overwrite, insert, delete, duplicate a slice. */
export function mutated(base: fc.Arbitrary<Buffer>): fc.Arbitrary<Buffer> {
  const edit = fc.tuple(fc.constantFrom("set", "insert", "delete", "dup"), fc.nat(), fc.nat(255), fc.nat(64));
  return fc.tuple(base, fc.array(edit, { minLength: 1, maxLength: 4 })).map(([buf, edits]) => {
    let b = Buffer.from(buf);
    for (const [kind, at, byte, len] of edits) {
      const i = b.length === 0 ? 0 : at % b.length;
      if (kind === "set" && b.length > 0) b[i] = byte;
      else if (kind === "insert") b = Buffer.concat([b.subarray(0, i), Buffer.of(byte), b.subarray(i)]);
      else if (kind === "delete") b = Buffer.concat([b.subarray(0, i), b.subarray(i + len)]);
      else b = Buffer.concat([b.subarray(0, i + len), b.subarray(i, i + len), b.subarray(i + len)]);
    }
    return b;
  });
}

const utf8 = (a: fc.Arbitrary<string>): fc.Arbitrary<Buffer> => a.map((t) => Buffer.from(t, "utf8"));
const rawBytes = (maxLength: number): fc.Arbitrary<Buffer> => fc.uint8Array({ maxLength }).map((b) => Buffer.from(b));

/** What the byte-level driver feeds each target. */
export const targetInputs = {
  "decode-advert": (() => {
    const cases = fc.oneof(advertCase, headerShapedCase, rawAdvertCase).map(encodeAdvertCaseBytes);
    return fc.oneof({ weight: 6, arbitrary: cases }, { weight: 2, arbitrary: mutated(cases) }, { weight: 1, arbitrary: rawBytes(600) });
  })(),
  "keepalived-config": (() => {
    const files = keepalivedFiles.map(encodeKeepalivedCaseBytes);
    const nested = deepNestingOf(2000).map(({ depth, open, close }) =>
      encodeKeepalivedCaseBytes([open.repeat(depth) + close.repeat(depth)]),
    );
    return fc.oneof(
      { weight: 40, arbitrary: files },
      { weight: 20, arbitrary: mutated(files) },
      { weight: 6, arbitrary: rawBytes(400) },
      { weight: 1, arbitrary: fc.oneof(nested, includeDag.map(encodeKeepalivedCaseBytes)) },
    );
  })(),
  "yaml-config": (() => {
    const docs = fc.oneof(
      { weight: 8, arbitrary: utf8(yamlText) },
      { weight: 8, arbitrary: utf8(yamlSoup) },
      { weight: 8, arbitrary: utf8(yamlObject.map((o) => JSON.stringify(o) ?? "null")) },
      { weight: 1, arbitrary: utf8(yamlAliased({ min: 0, max: 40 })) },
    );
    return fc.oneof({ weight: 6, arbitrary: docs }, { weight: 3, arbitrary: mutated(docs) }, { weight: 1, arbitrary: rawBytes(400) });
  })(),
} as const satisfies Record<string, fc.Arbitrary<Buffer>>;
