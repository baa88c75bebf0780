import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { describeApiError, refusalText, WriteFailures } from "./write-failures.js";

const refuse =
  (body: unknown, code = 500) =>
  async () => {
    throw Object.assign(new Error(`HTTP-Code: ${code}`), { code, body });
  };
const ok = async () => undefined;

describe("WriteFailures: each object's write fails alone, backed off on its own", () => {
  it("backs off 0.5 s, 1 s, 2 s ... up to 30 s; waits in between; a success forgets it", async () => {
    const f = new WriteFailures();
    const leaderChanged = refuse(
      JSON.stringify({ kind: "Status", reason: "InternalError", message: "etcdserver: leader changed", code: 500 }),
    );
    const first = await f.attempt("vrrpnode-spec", "c", "v1", 0, leaderChanged);
    assert.equal(first.kind, "failed");
    assert.equal(first.kind === "failed" && first.firstOfItsKind, true);
    assert.equal(f.nextRetry(), 500);
    assert.equal((await f.attempt("vrrpnode-spec", "c", "v1", 499, leaderChanged)).kind, "waiting");
    const second = await f.attempt("vrrpnode-spec", "c", "v1", 500, leaderChanged);
    assert.equal(second.kind === "failed" && second.firstOfItsKind, false, "the same refusal again is no news");
    const delays = [500, 1000];
    let now = 500;
    while (delays.length < 8) {
      const next = f.nextRetry()!;
      delays.push(next - now);
      now = next;
      await f.attempt("vrrpnode-spec", "c", "v1", now, leaderChanged);
    }
    assert.deepEqual(delays, [500, 1000, 1000, 2000, 4000, 8000, 16000, 30000]);
    assert.equal((await f.attempt("vrrpnode-spec", "c", "v1", f.nextRetry()!, ok)).kind, "written");
    assert.equal(f.nextRetry(), undefined);
  });

  it("a refusal the same content always gets (too large, invalid) backs off up to 5 min, not 30 s: the same megabytes are not resent every 30 s", async () => {
    const cases: Array<[string, number, unknown, number]> = [
      ["etcd's limit", 500, { reason: "InternalError", message: "etcdserver: request is too large" }, 300_000],
      [
        "the API server's body limit",
        413,
        { reason: "RequestEntityTooLarge", message: "Request entity too large: limit is 3145728" },
        300_000,
      ],
      ["invalid", 422, { reason: "Invalid", message: "status.conditions[0].message: Too long" }, 300_000],
      ["a transient error", 500, { reason: "InternalError", message: "etcdserver: leader changed" }, 30_000],
      ["a conflict", 409, { reason: "Conflict", message: "the object has been modified" }, 30_000],
    ];
    for (const [name, code, body, cap] of cases) {
      const f = new WriteFailures();
      let now = 0;
      let delay = 0;
      for (let i = 0; i < 15; i++) {
        const outcome = await f.attempt("vrrpnode-spec", "c", "v1", now, refuse(body, code));
        assert.equal(outcome.kind, "failed");
        delay = f.nextRetry()! - now;
        now = f.nextRetry()!;
      }
      assert.equal(delay, cap, name);
    }
  });

  it("new content is due at once (it may be the fix); other objects are not held up", async () => {
    const f = new WriteFailures();
    await f.attempt("vrrpnode-spec", "c", "big", 0, refuse({ reason: "InternalError", message: "too large" }));
    assert.equal((await f.attempt("vrrpnode-spec", "a", "x", 1, ok)).kind, "written");
    assert.equal((await f.attempt("vrrpnode-spec", "c", "small", 1, ok)).kind, "written");
    assert.deepEqual(f.all(), []);
  });

  it("settle forgets failures whose object needs no write any more", async () => {
    const f = new WriteFailures();
    await f.attempt("virtualip-status", "gone", "s", 0, refuse({ reason: "NotFound", message: "not found" }, 404));
    await f.attempt("virtualip-status", "stays", "s", 0, refuse({ reason: "Invalid", message: "bad" }, 422));
    await f.attempt("service-status", "default/gone", "s", 0, refuse({ reason: "Invalid", message: "bad" }, 422));
    f.settle("virtualip-status", (t) => t === "stays");
    assert.deepEqual(
      f.all().map((x) => `${x.kind} ${x.target}`),
      ["virtualip-status stays", "service-status default/gone"],
    );
  });
});

describe("describeApiError", () => {
  const cases: Array<[string, unknown, ReturnType<typeof describeApiError>]> = [
    [
      "Status as text (client-node ApiException)",
      Object.assign(new Error("x"), { code: 422, body: '{"kind":"Status","reason":"Invalid","message":"spec.x: Invalid value"}' }),
      { code: 422, reason: "Invalid", message: "spec.x: Invalid value" },
    ],
    [
      "Status parsed",
      { code: 409, body: { reason: "Conflict", message: "the object has been modified" } },
      { code: 409, reason: "Conflict", message: "the object has been modified" },
    ],
    ["body not JSON", { code: 502, body: "Bad Gateway" }, { code: 502, reason: "HTTP502", message: "Bad Gateway" }],
    [
      "no response",
      Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:1"), { code: "ECONNREFUSED" }),
      { code: undefined, reason: "NoResponse", message: "connect ECONNREFUSED 127.0.0.1:1" },
    ],
  ];
  for (const [name, error, want] of cases) it(name, () => assert.deepEqual(describeApiError(error), want));

  it("refusalText says who refused and why", () => {
    assert.equal(
      refusalText({ code: 500, reason: "InternalError", message: "etcdserver: request is too large" }),
      "refused by the API server (500 InternalError): etcdserver: request is too large",
    );
    assert.equal(
      refusalText({ code: undefined, reason: "NoResponse", message: "timeout" }),
      "not written (no response from the API server): timeout",
    );
  });
});
