// A small VirtualIP-like CRD for the test server's own tests (the project's real CRDs live in crds/).
import { Obj } from "./types.js";

export const GROUP = "floatip.io";
export const VERSION = "v1alpha1";

const condition = {
  type: "object",
  required: ["type", "status"],
  properties: {
    type: { type: "string" },
    status: { type: "string", enum: ["True", "False", "Unknown"] },
    reason: { type: "string" },
    message: { type: "string" },
    lastTransitionTime: { type: "string", format: "date-time" },
  },
};

export function testVirtualIPCrd(): Obj {
  return {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: { name: `virtualips.${GROUP}` },
    spec: {
      group: GROUP,
      scope: "Cluster",
      names: {
        plural: "virtualips",
        singular: "virtualip",
        kind: "VirtualIP",
        listKind: "VirtualIPList",
        shortNames: ["vip"],
        categories: ["floatip"],
      },
      versions: [
        {
          name: VERSION,
          served: true,
          storage: true,
          subresources: { status: {} },
          additionalPrinterColumns: [
            { name: "Addresses", type: "string", jsonPath: ".spec.addresses" },
            { name: "VRID", type: "integer", jsonPath: ".status.virtualRouterID" },
            { name: "Master", type: "string", jsonPath: ".status.master" },
            { name: "Ready", type: "string", jsonPath: '.status.conditions[?(@.type=="Ready")].status' },
            { name: "Age", type: "date", jsonPath: ".metadata.creationTimestamp" },
          ],
          schema: {
            openAPIV3Schema: {
              type: "object",
              properties: {
                spec: {
                  type: "object",
                  required: ["addresses"],
                  "x-kubernetes-validations": [
                    {
                      rule: "!(has(self.priorities) && has(self.preferredNodes))",
                      message: "priorities and preferredNodes are mutually exclusive",
                    },
                    {
                      rule: "self.version == 3 || self.addresses.all(a, !a.contains(':'))",
                      message: "IPv6 needs version 3",
                      fieldPath: ".version",
                    },
                  ],
                  properties: {
                    addresses: {
                      type: "array",
                      minItems: 1,
                      maxItems: 16,
                      "x-kubernetes-list-type": "set",
                      items: {
                        type: "string",
                        pattern: "^[0-9a-fA-F:.]+/[0-9]{1,3}$",
                        "x-kubernetes-validations": [{ rule: "isCIDR(self)", message: "must be a CIDR" }],
                      },
                    },
                    interface: { type: "string", maxLength: 15 },
                    virtualRouterID: {
                      type: "integer",
                      minimum: 1,
                      maximum: 255,
                      "x-kubernetes-validations": [{ rule: "self == oldSelf", message: "virtualRouterID is immutable" }],
                    },
                    version: { type: "integer", enum: [2, 3], default: 3 },
                    advertisementInterval: {
                      type: "string",
                      default: "1s",
                      "x-kubernetes-validations": [{ rule: "duration(self) >= duration('10ms')", message: "at least 10ms" }],
                    },
                    preempt: { type: "boolean", default: true },
                    nodeSelector: { type: "object", additionalProperties: { type: "string" } },
                    priorities: { type: "object", additionalProperties: { type: "integer", minimum: 1, maximum: 254 } },
                    preferredNodes: { type: "array", items: { type: "string" } },
                    transport: { type: "string", enum: ["unicast", "multicast"], default: "unicast" },
                    garp: {
                      type: "object",
                      default: {},
                      properties: { repeat: { type: "integer", format: "int32", default: 5 }, delay: { type: "string", default: "5s" } },
                    },
                    extra: { type: "object", "x-kubernetes-preserve-unknown-fields": true },
                    port: { "x-kubernetes-int-or-string": true },
                  },
                },
                status: {
                  type: "object",
                  properties: {
                    master: { type: "string" },
                    virtualRouterID: { type: "integer" },
                    observedGeneration: { type: "integer", format: "int64" },
                    conditions: {
                      type: "array",
                      "x-kubernetes-list-type": "map",
                      "x-kubernetes-list-map-keys": ["type"],
                      items: condition,
                    },
                  },
                },
              },
            },
          },
        },
      ],
    },
  };
}

export function testVRRPNodeCrd(): Obj {
  return {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: { name: `vrrpnodes.${GROUP}` },
    spec: {
      group: GROUP,
      scope: "Cluster",
      names: { plural: "vrrpnodes", singular: "vrrpnode", kind: "VRRPNode", shortNames: ["vrn"] },
      versions: [
        {
          name: VERSION,
          served: true,
          storage: true,
          subresources: { status: {} },
          schema: {
            openAPIV3Schema: {
              type: "object",
              properties: {
                spec: { type: "object", "x-kubernetes-preserve-unknown-fields": true },
                status: { type: "object", "x-kubernetes-preserve-unknown-fields": true },
              },
            },
          },
        },
      ],
    },
  };
}

export function vip(name: string, spec: Obj = {}): { apiVersion: string; kind: string; metadata: { name: string }; spec: Obj } {
  return { apiVersion: `${GROUP}/${VERSION}`, kind: "VirtualIP", metadata: { name }, spec: { addresses: ["192.0.2.5/24"], ...spec } };
}
