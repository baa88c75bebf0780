/**
 * The converters by source name, for `floatip convert --from SOURCE FILE`:
 * the file's YAML documents in, VirtualIPPools out. Parsing errors name the
 * file; everything else is the converters' (pure).
 */
import yaml from "js-yaml";
import type { Conversion } from "./common.js";
import { convertKeepalivedOperator } from "./keepalived-operator.js";
import { convertKubeVip } from "./kube-vip.js";
import { convertMetalLB } from "./metallb.js";

export type { Conversion, Manifest } from "./common.js";

export const SOURCES = {
  metallb: convertMetalLB,
  "keepalived-operator": convertKeepalivedOperator,
  "kube-vip": convertKubeVip,
} as const;

export type Source = keyof typeof SOURCES;

export function isSource(value: string): value is Source {
  return Object.prototype.hasOwnProperty.call(SOURCES, value);
}

/** Converts the text of a (multi-document) YAML file. */
export function convertText(source: Source, text: string): Conversion {
  let docs: unknown[];
  try {
    docs = yaml.loadAll(text);
  } catch (e) {
    return { manifests: [], warnings: [], errors: [`not YAML: ${(e as Error).message.split("\n")[0]}`] };
  }
  return SOURCES[source](docs);
}
