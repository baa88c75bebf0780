/** The planner's public surface. */
export { plan, DEFAULT_SECRET_NAMESPACE, DEFAULT_MAX_CANDIDATES } from "./plan.js";
export type { Finding, FindingKind, PlanInput, PlanOptions, PlanResult, VipPlan } from "./types.js";
export { rendezvousOrder, rendezvousScore, fnv1a32, mix32 } from "./hash.js";
export { assignPriorities, scale } from "./priorities.js";
export { allocateVrids } from "./vrid.js";
export type { VridCandidate, VridOutcome } from "./vrid.js";
export { findCollisions } from "./collisions.js";
export { selectNodes, matchesSelector } from "./selection.js";
export { instanceName, renderNodes, routerName } from "./render.js";
export { pack, ADVERT_CAPACITY } from "./pack.js";
export { chooseCandidates } from "./candidates.js";
