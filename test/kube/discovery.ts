// Legacy (unaggregated) discovery documents: /version, /api, /api/v1, /apis, /apis/<g>, /apis/<g>/<v>.
import { Registry } from "./registry.js";
import { Obj, ResourceDef } from "./types.js";

export const SERVER_VERSION = {
  major: "1",
  minor: "34",
  emulationMajor: "1",
  emulationMinor: "34",
  gitVersion: "v1.34.0-floatip-test",
  gitCommit: "0000000000000000000000000000000000000000",
  gitTreeState: "clean",
  buildDate: "2026-01-01T00:00:00Z",
  goVersion: "go1.24.0",
  compiler: "gc",
  platform: "linux/amd64",
};

function versionEntry(group: string, version: string): Obj {
  return { groupVersion: `${group}/${version}`, version };
}

export function apiVersions(hostPort: string): Obj {
  return {
    kind: "APIVersions",
    versions: ["v1"],
    serverAddressByClientCIDRs: [{ clientCIDR: "0.0.0.0/0", serverAddress: hostPort }],
  };
}

export function apiGroup(registry: Registry, group: string): Obj | undefined {
  const versions = registry.groups().get(group);
  if (!versions || group === "") return undefined;
  return {
    kind: "APIGroup",
    apiVersion: "v1",
    name: group,
    versions: versions.map((v) => versionEntry(group, v)),
    preferredVersion: versionEntry(group, versions[0] as string),
  };
}

export function apiGroupList(registry: Registry): Obj {
  const groups = [...registry.groups().keys()]
    .filter((g) => g !== "")
    .map((g) => {
      const { kind: _k, apiVersion: _a, ...rest } = apiGroup(registry, g) as Obj;
      return rest;
    });
  return { kind: "APIGroupList", apiVersion: "v1", groups };
}

function resourceEntries(d: ResourceDef): Obj[] {
  const main: Obj = {
    name: d.plural,
    singularName: d.singular,
    namespaced: d.namespaced,
    kind: d.kind,
    verbs: d.verbs,
  };
  if (d.shortNames.length > 0) main.shortNames = d.shortNames;
  if (d.categories.length > 0) main.categories = d.categories;
  main.storageVersionHash = Buffer.from(d.storageKey).toString("base64").slice(0, 11);
  const out = [main];
  if (d.statusSubresource) {
    out.push({ name: `${d.plural}/status`, singularName: "", namespaced: d.namespaced, kind: d.kind, verbs: ["get", "patch", "update"] });
  }
  return out;
}

export function apiResourceList(registry: Registry, group: string, version: string): Obj | undefined {
  const defs = registry.inGroupVersion(group, version);
  if (defs.length === 0) return undefined;
  return {
    kind: "APIResourceList",
    apiVersion: "v1",
    groupVersion: group ? `${group}/${version}` : version,
    resources: defs.flatMap(resourceEntries),
  };
}
