/**
 * Every numeric bound of the three CRDs (crds/*.yaml), by schema path, named from limits.ts: the
 * one place the contract's numbers live. operator/api/contract.test.ts holds the CRDs to this table
 * (a bound added to a CRD must be added here), the validators to the same numbers, and the chart's
 * values.schema.json to the Kubernetes name bounds. Paths: `.` between properties, `items` for
 * array items, `additionalProperties` for map values.
 */
import * as L from "./limits.js";

export interface SchemaBounds {
  readonly minimum?: number;
  readonly maximum?: number;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly minItems?: number;
  readonly maxItems?: number;
  readonly maxProperties?: number;
}

/** A required string: the API server rejects "" (the validators say "must not be empty"). */
const NON_EMPTY = { minLength: 1 } as const;
const range = (minimum: number, maximum: number) => ({ minimum, maximum });
const conditions = {
  "status.conditions.items.type": { maxLength: L.CONDITION_TYPE_MAX },
  "status.conditions.items.observedGeneration": { minimum: 0 },
  "status.conditions.items.reason": { minLength: 1, maxLength: L.CONDITION_REASON_MAX },
  "status.conditions.items.message": { maxLength: L.CONDITION_MESSAGE_MAX },
};
const selector = (path: string) => ({
  [`${path}.matchExpressions`]: { maxItems: L.TRACK_LIST_MAX },
  [`${path}.matchExpressions.items.values`]: { maxItems: L.SELECTOR_VALUES_MAX },
});
/** spec.nodeSelector: a LabelSelector that also keeps the old plain label map (operator/api/node-selector.ts). */
const nodeSelector = {
  "spec.nodeSelector": { maxProperties: L.NODE_SELECTOR_MAX },
  "spec.nodeSelector.matchLabels": { maxProperties: L.NODE_SELECTOR_MAX },
  "spec.nodeSelector.matchLabels.additionalProperties": { maxLength: L.LABEL_VALUE_MAX },
  ...selector("spec.nodeSelector"),
  "spec.nodeSelector.matchExpressions.items.key": { maxLength: L.LABEL_KEY_MAX },
  "spec.nodeSelector.matchExpressions.items.values.items": { maxLength: L.LABEL_VALUE_MAX },
};
const fallRise = (path: string) => ({
  [`${path}.fall`]: range(1, L.FALL_RISE_MAX),
  [`${path}.rise`]: range(1, L.FALL_RISE_MAX),
});

const duration = { maxLength: L.DURATION_TEXT_MAX };

export const CRD_BOUNDS: Readonly<Record<"virtualip" | "virtualippool" | "vrrpnode", Readonly<Record<string, SchemaBounds>>>> = {
  virtualip: {
    "spec.addresses": { minItems: 1, maxItems: L.MAX_ADDRESSES },
    "spec.addresses.items": { maxLength: L.ADDRESS_TEXT_MAX },
    "spec.virtualRouterID": range(L.VRID_MIN, L.VRID_MAX),
    "spec.advertisementInterval": duration,
    ...nodeSelector,
    "spec.nodeNames": { maxItems: L.NODE_NAMES_MAX },
    "spec.nodeNames.items": { minLength: 1, maxLength: L.NODE_NAME_MAX },
    "spec.priorities.additionalProperties": range(L.PRIORITY_MIN, L.PRIORITY_MAX),
    "spec.preferredNodes": { minItems: 1 },
    "spec.preferredNodes.items": { minLength: 1, maxLength: L.NODE_NAME_MAX },
    "spec.preemptDelay": duration,
    "spec.authentication.secretRef.name": { maxLength: L.DNS_SUBDOMAIN_MAX },
    "spec.authentication.secretRef.namespace": { maxLength: L.DNS_LABEL_MAX },
    "spec.authentication.secretRef.key": { maxLength: L.SECRET_KEY_MAX },
    "spec.track.pods.namespace": { maxLength: L.DNS_LABEL_MAX },
    "spec.track.pods.selector.matchLabels.additionalProperties": { maxLength: L.LABEL_VALUE_MAX },
    ...selector("spec.track.pods.selector"),
    "spec.track.pods.selector.matchExpressions.items.key": { maxLength: L.LABEL_KEY_MAX },
    "spec.track.pods.selector.matchExpressions.items.values.items": { maxLength: L.LABEL_VALUE_MAX },
    "spec.track.pods.weight": range(L.TRACK_PODS_WEIGHT_MIN, L.TRACK_PODS_WEIGHT_MAX),
    "spec.track.scripts": { maxItems: L.TRACK_LIST_MAX },
    "spec.track.scripts.items.name": { maxLength: L.TRACK_NAME_MAX },
    "spec.track.scripts.items.command": NON_EMPTY,
    "spec.track.scripts.items.interval": duration,
    "spec.track.scripts.items.timeout": duration,
    "spec.track.scripts.items.weight": range(L.SCRIPT_WEIGHT_MIN, L.SCRIPT_WEIGHT_MAX),
    ...fallRise("spec.track.scripts.items"),
    "spec.track.scripts.items.user": NON_EMPTY,
    "spec.track.interfaces": { maxItems: L.TRACK_LIST_MAX },
    "spec.track.interfaces.items.weight": range(L.INTERFACE_WEIGHT_MIN, L.INTERFACE_WEIGHT_MAX),
    "spec.track.files": { maxItems: L.TRACK_LIST_MAX },
    "spec.track.files.items.name": { maxLength: L.TRACK_NAME_MAX },
    "spec.track.files.items.weight": range(L.FILE_WEIGHT_MIN, L.FILE_WEIGHT_MAX),
    "spec.track.httpChecks": { maxItems: L.TRACK_LIST_MAX },
    "spec.track.httpChecks.items.name": { maxLength: L.TRACK_NAME_MAX },
    "spec.track.httpChecks.items.url": { maxLength: L.URL_TEXT_MAX },
    "spec.track.httpChecks.items.interval": duration,
    "spec.track.httpChecks.items.timeout": duration,
    "spec.track.httpChecks.items.weight": range(L.HTTP_WEIGHT_MIN, L.HTTP_WEIGHT_MAX),
    ...fallRise("spec.track.httpChecks.items"),
    "spec.track.httpChecks.items.tls.serverName": NON_EMPTY,
    "spec.garp.repeat": range(1, L.GARP_REPEAT_MAX),
    "spec.garp.delay": duration,
    "spec.garp.refresh": duration,
    "spec.garp.refreshRepeat": range(1, L.GARP_REPEAT_MAX),
    "spec.garp.interval": duration,
    "spec.garp.lowerPriorityRepeat": range(L.LOWER_PRIORITY_REPEAT_MIN, L.GARP_REPEAT_MAX),
    "spec.garp.lowerPriorityDelay": duration,
    "spec.maxCandidates": range(0, L.MAX_CANDIDATES_MAX),
    "status.virtualRouterID": range(L.VRID_MIN, L.VRID_MAX),
    ...conditions,
  },
  virtualippool: {
    "spec.maxCandidates": range(0, L.MAX_CANDIDATES_MAX),
    "spec.addresses": { minItems: 1, maxItems: L.POOL_ENTRIES_MAX },
    "spec.addresses.items": { maxLength: L.POOL_ENTRY_TEXT_MAX },
    "spec.advertisementInterval": duration,
    "spec.interfaces": { minItems: 1, maxItems: L.POOL_INTERFACES_MAX },
    ...nodeSelector,
    ...selector("spec.serviceSelector"),
    ...selector("spec.namespaceSelector"),
    ...conditions,
  },
  vrrpnode: {
    "spec.scripts.items.name": NON_EMPTY,
    "spec.scripts.items.command": NON_EMPTY,
    "spec.scripts.items.weight": range(L.SCRIPT_WEIGHT_MIN, L.SCRIPT_WEIGHT_MAX),
    ...fallRise("spec.scripts.items"),
    "spec.scripts.items.user": NON_EMPTY,
    "spec.trackFiles.items.name": NON_EMPTY,
    "spec.trackFiles.items.weight": range(L.FILE_WEIGHT_MIN, L.FILE_WEIGHT_MAX),
    "spec.httpChecks.items.name": NON_EMPTY,
    "spec.httpChecks.items.url": NON_EMPTY,
    "spec.httpChecks.items.weight": range(L.HTTP_WEIGHT_MIN, L.HTTP_WEIGHT_MAX),
    ...fallRise("spec.httpChecks.items"),
    "spec.instances.items.name": NON_EMPTY,
    "spec.instances.items.virtualRouterID": range(L.VRID_MIN, L.VRID_MAX),
    "spec.instances.items.virtualRouterId": range(L.VRID_MIN, L.VRID_MAX),
    "spec.instances.items.unicast.peerSet": NON_EMPTY,
    "spec.peerSets.items.name": NON_EMPTY,
    "spec.instances.items.priority": range(L.PRIORITY_MIN, L.AGENT_PRIORITY_MAX),
    "spec.instances.items.addresses": { minItems: 1, maxItems: L.AGENT_ADDRESSES_MAX },
    "spec.instances.items.addresses.items": NON_EMPTY,
    "spec.instances.items.excludedAddresses.items": NON_EMPTY,
    "spec.instances.items.authentication.secretRef.namespace": NON_EMPTY,
    "spec.instances.items.authentication.secretRef.name": NON_EMPTY,
    "spec.instances.items.authentication.secretRef.key": NON_EMPTY,
    "spec.instances.items.garp.repeat": range(1, L.GARP_REPEAT_MAX),
    "spec.instances.items.garp.refreshRepeat": range(1, L.GARP_REPEAT_MAX),
    "spec.instances.items.garp.lowerPriorityRepeat": range(L.LOWER_PRIORITY_REPEAT_MIN, L.GARP_REPEAT_MAX),
    "spec.instances.items.track.scripts.items.weight": range(L.SCRIPT_WEIGHT_MIN, L.SCRIPT_WEIGHT_MAX),
    "spec.instances.items.track.interfaces.items.weight": range(L.INTERFACE_WEIGHT_MIN, L.INTERFACE_WEIGHT_MAX),
    "spec.instances.items.track.files.items.weight": range(L.FILE_WEIGHT_MIN, L.FILE_WEIGHT_MAX),
    "spec.instances.items.track.httpChecks.items.weight": range(L.HTTP_WEIGHT_MIN, L.HTTP_WEIGHT_MAX),
    "spec.instances.items.track.pods.namespace": NON_EMPTY,
    // 0 in the agent's config: FAULT while no selected pod is ready (the CRD's description says so).
    "spec.instances.items.track.pods.weight": range(0, L.TRACK_PODS_WEIGHT_MAX),
    "status.refreshInterval": duration,
    "status.instances.items.conflicts": { maxItems: L.STATUS_CONFLICTS_MAX },
    "status.interfaces": { maxItems: L.STATUS_INTERFACES_MAX },
  },
};
