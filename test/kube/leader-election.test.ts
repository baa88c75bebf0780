/**
 * Controller leader election against the API test server with the real
 * client-node (issue 13 finding 8): a replica whose wall clock runs ahead
 * must not take a Lease its holder keeps renewing, and a leader that stops
 * gracefully hands the Lease over at once instead of letting it expire.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { systemClock } from "../../base/clock.js";
import { jsonLogger } from "../../base/logger.js";
import { clientNodeControllerApi } from "../../operator/controller/kube-api.js";
import { LeaderElector } from "../../operator/controller/leader.js";
import { TestApiServer, startTestApiServer } from "./server.js";
import { waitFor } from "./testutil.js";

const NAMESPACE = "floatip-system";

describe("controller leader election (Lease on the API test server)", () => {
  let server: TestApiServer;
  const electors: LeaderElector[] = [];
  before(async () => {
    server = await startTestApiServer({});
  });
  after(async () => {
    await Promise.all(electors.map((e) => e.stop()));
    await server.close();
  });

  const replica = (lease: string, identity: string, events: string[], skewMs = 0) => {
    const api = clientNodeControllerApi(server.kubeConfig(), NAMESPACE);
    const e = new LeaderElector({
      api,
      namespace: NAMESPACE,
      name: lease,
      identity,
      clock: systemClock(),
      wallClock: () => new Date(Date.now() + skewMs),
      logger: jsonLogger({ write: () => undefined, wallClock: () => new Date() }),
      leaseDurationSeconds: 2,
      retryMs: 200,
      onStartedLeading: () => events.push(`${identity} leads`),
      onStoppedLeading: () => events.push(`${identity} stops`),
    });
    electors.push(e);
    return e;
  };

  it("a replica whose wall clock runs 30 s ahead does not take a live Lease", async () => {
    const events: string[] = [];
    const a = replica("skew", "a", events);
    a.start();
    await waitFor(() => a.isLeader, 3000, "a leads");
    const b = replica("skew", "b", events, 30_000);
    b.start();
    // Three lease durations: the holder renews every 200 ms all along.
    await new Promise((r) => setTimeout(r, 6000));
    assert.deepEqual(events, ["a leads"]);
    assert.ok(a.isLeader && !b.isLeader);
    await a.stop();
    await b.stop();
  });

  it("a gracefully stopped leader hands the Lease over within a second", async () => {
    const events: string[] = [];
    const a = replica("handover", "a", events);
    a.start();
    await waitFor(() => a.isLeader, 3000, "a leads");
    const b = replica("handover", "b", events);
    b.start();
    await new Promise((r) => setTimeout(r, 1000));
    assert.ok(!b.isLeader);
    const stopped = performance.now();
    await a.stop();
    await waitFor(() => b.isLeader, 3000, "b leads");
    const ms = performance.now() - stopped;
    assert.ok(ms < 1000, `b led ${Math.round(ms)} ms after a stopped`);
    assert.deepEqual(events, ["a leads", "a stops", "b leads"]);
    await b.stop();
  });
});
