/**
 * Bounds and defaults of the VirtualIP resource, shared by the validator,
 * the planner and the CRD test (which checks crds/virtualip.yaml says the same).
 */
import { INTERVAL_LIMITS } from "../../agent/vrrp/timing.js";

export const MAX_ADDRESSES = 16;
export const VRID_MIN = 1;
export const VRID_MAX = 255;
/** spec.maxCandidates (VirtualIP, VirtualIPPool) and --max-candidates: 0 (every eligible node) .. this. */
export const MAX_CANDIDATES_MAX = 255;
/** 255 is the address owner's, which a floating address never has. */
export const PRIORITY_MIN = 1;
export const PRIORITY_MAX = 254;
export const TRACK_PODS_WEIGHT_MIN = 1;
export const TRACK_PODS_WEIGHT_MAX = 253;
export const SCRIPT_WEIGHT_MIN = -253;
export const SCRIPT_WEIGHT_MAX = 253;
export const FILE_WEIGHT_MIN = -254;
export const FILE_WEIGHT_MAX = 254;
export const FALL_RISE_MAX = 1_000_000;
export const GARP_REPEAT_MAX = 100;
export const INTERFACE_NAME_MAX = 15;
/** Entries of track.scripts / interfaces / files, and of a selector's matchExpressions. */
export const TRACK_LIST_MAX = 32;
export const SELECTOR_VALUES_MAX = 64;
export const NODE_SELECTOR_MAX = 64;
export const LABEL_VALUE_MAX = 63;
export const NODE_NAME_MAX = 253;
/** Entries of spec.nodeNames. */
export const NODE_NAMES_MAX = 1000;
/** Kubernetes name lengths: DNS-1123 subdomains (object names, node names) and labels (namespaces). */
export const DNS_SUBDOMAIN_MAX = 253;
export const DNS_LABEL_MAX = 63;
export const SECRET_KEY_MAX = 253;
/** Names of scripts, interfaces' track entries, files and HTTP checks inside one VirtualIP. */
export const TRACK_NAME_MAX = 63;
/** Interface track weights: like a script's (a tracked interface that goes down may also count as a fault). */
export const INTERFACE_WEIGHT_MIN = SCRIPT_WEIGHT_MIN;
export const INTERFACE_WEIGHT_MAX = SCRIPT_WEIGHT_MAX;
export const HTTP_WEIGHT_MIN = SCRIPT_WEIGHT_MIN;
export const HTTP_WEIGHT_MAX = SCRIPT_WEIGHT_MAX;
/** garp.lowerPriorityRepeat may be 0 (no gratuitous ARPs after a lower-priority advert). */
export const LOWER_PRIORITY_REPEAT_MIN = 0;
/** Entries of a VirtualIPPool's spec.addresses. */
export const POOL_ENTRIES_MAX = 64;
/** Entries of a VirtualIPPool's spec.interfaces. */
export const POOL_INTERFACES_MAX = 32;
/** Interface names the agent reports in VRRPNode status.interfaces (the rest are left out). */
export const STATUS_INTERFACES_MAX = 256;
/** Conflicts the agent reports per instance in VRRPNode status. */
export const STATUS_CONFLICTS_MAX = 64;
/** VRRPNode (the agent's config): an owner may have 255; the advert's count byte bounds the addresses. */
export const AGENT_PRIORITY_MAX = 255;
export const AGENT_ADDRESSES_MAX = 255;

/**
 * String lengths only the CRD states: they bound the API server's CEL cost estimate (a rule over an
 * unbounded string is rejected as too expensive), while the validators check the format itself.
 */
export const DURATION_TEXT_MAX = 32;
export const ADDRESS_TEXT_MAX = 64;
export const POOL_ENTRY_TEXT_MAX = 100;
export const URL_TEXT_MAX = 2048;
/** metav1.Condition's own bounds (type: a qualified name; reason; message). */
export const CONDITION_TYPE_MAX = 316;
export const CONDITION_REASON_MAX = 1024;
export const CONDITION_MESSAGE_MAX = 32768;

/** Linux interface names: 1..15 bytes, no "/" or whitespace. */
export const INTERFACE_NAME_PATTERN = /^[^\s/]{1,15}$/;

export { INTERVAL_LIMITS };

/** A duration as the CRD accepts it (and CEL duration() parses): a number and a unit. */
export const DURATION_PATTERN = /^[0-9]+(\.[0-9]+)?(ms|s|m|h)$/;
/** Names of scripts and track files inside one VirtualIP (rendered as `<vip>/<name>`). */
export const TRACK_NAME_PATTERN = /^[A-Za-z0-9]([A-Za-z0-9_.-]{0,61}[A-Za-z0-9])?$/;

/** Kubernetes object names (DNS-1123 subdomain, at most 253) and namespaces (DNS-1123 label, at most 63). */
export const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
export const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** Label values: at most 63 characters, alphanumerics with '-', '_' or '.' inside, or empty. */
export const LABEL_VALUE_PATTERN = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
/** Label keys: an optional DNS subdomain prefix and "/", then a name of at most 63 characters. */
export const LABEL_KEY_PATTERN =
  /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
export const LABEL_KEY_MAX = 317;
/**
 * One VirtualIPPool entry's syntax: an IPv4 or IPv6 address, CIDR or range
 * "first-last". The CRD runs the same expression as a CEL rule with the same
 * message, so a malformed entry is refused at admission in the words the
 * controller uses; what a pattern cannot say (host bits, a range's order,
 * overlaps) the controller checks (operator/api/ranges.ts).
 */
export const POOL_ENTRY_PATTERN = new RegExp(
  "^((25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])[.](25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])[.](25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])[.](25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(/(3[0-2]|[12]?[0-9]))?|(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])[.](25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])[.](25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])[.](25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])[ ]*-[ ]*(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])[.](25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])[.](25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])[.](25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])|([0-9a-fA-F]{0,4}:){2,7}([0-9a-fA-F]{0,4}|(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])[.](25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])[.](25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])[.](25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9]))(/(12[0-8]|1[01][0-9]|[1-9]?[0-9]))?|([0-9a-fA-F]{0,4}:){2,7}([0-9a-fA-F]{0,4}|(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])[.](25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])[.](25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])[.](25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9]))[ ]*-[ ]*([0-9a-fA-F]{0,4}:){2,7}([0-9a-fA-F]{0,4}|(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])[.](25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])[.](25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])[.](25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])))$",
);
export const POOL_ENTRY_MESSAGE =
  'must be a CIDR ("192.0.2.64/28"), a range of one family ("192.0.2.10-192.0.2.20") or one address, IPv4 (octets 0-255, prefix up to /32) or IPv6 (prefix up to /128)';
/** Keys of a Secret's data. */
export const SECRET_KEY = /^[-._a-zA-Z0-9]+$/;

export const DEFAULTS = {
  version: 3,
  advertisementInterval: "1s",
  preempt: true,
  preemptDelay: "0s",
  transport: "unicast",
  secretKey: "password",
  releaseOnCordon: false,
  garp: { repeat: 5, delay: "5s", refresh: "0s" },
} as const;
