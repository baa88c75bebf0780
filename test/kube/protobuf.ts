// Decoding of Kubernetes protobuf request bodies (application/vnd.kubernetes.protobuf) for the few
// kinds that clients send that way to us: helm's release storage posts Secrets (or ConfigMaps)
// and deletes them with protobuf DeleteOptions.
// Responses are always JSON (clients accept it as the fallback).
import { Obj } from "./types.js";

type FieldType = "string" | "bytes" | "int" | "bool" | "time" | "strings" | "map" | "bytesmap" | Descriptor | { repeated: Descriptor };
type Descriptor = Record<number, [string, FieldType]>;

const ownerReference: Descriptor = {
  1: ["kind", "string"],
  3: ["name", "string"],
  4: ["uid", "string"],
  5: ["apiVersion", "string"],
  6: ["controller", "bool"],
  7: ["blockOwnerDeletion", "bool"],
};
const objectMeta: Descriptor = {
  1: ["name", "string"],
  2: ["generateName", "string"],
  3: ["namespace", "string"],
  5: ["uid", "string"],
  6: ["resourceVersion", "string"],
  7: ["generation", "int"],
  8: ["creationTimestamp", "time"],
  9: ["deletionTimestamp", "time"],
  10: ["deletionGracePeriodSeconds", "int"],
  11: ["labels", "map"],
  12: ["annotations", "map"],
  13: ["ownerReferences", { repeated: ownerReference }],
  14: ["finalizers", "strings"],
};

const kinds: Record<string, Descriptor> = {
  DeleteOptions: {
    1: ["gracePeriodSeconds", "int"],
    2: ["preconditions", { 1: ["uid", "string"], 2: ["resourceVersion", "string"] }],
    3: ["orphanDependents", "bool"],
    4: ["propagationPolicy", "string"],
    5: ["dryRun", "strings"],
  },
  Secret: {
    1: ["metadata", objectMeta],
    2: ["data", "bytesmap"],
    3: ["type", "string"],
    4: ["stringData", "map"],
    5: ["immutable", "bool"],
  },
  ConfigMap: { 1: ["metadata", objectMeta], 2: ["data", "map"], 3: ["binaryData", "bytesmap"], 4: ["immutable", "bool"] },
};

class Reader {
  pos = 0;
  constructor(readonly buf: Buffer) {}
  done(): boolean {
    return this.pos >= this.buf.length;
  }
  varint(): bigint {
    let v = 0n;
    let shift = 0n;
    for (;;) {
      const b = this.buf[this.pos++];
      if (b === undefined) throw new Error("truncated protobuf varint");
      v |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return v;
      shift += 7n;
    }
  }
  bytes(): Buffer {
    const n = Number(this.varint());
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
  skip(wire: number): void {
    if (wire === 0) this.varint();
    else if (wire === 1) this.pos += 8;
    else if (wire === 2) this.bytes();
    else if (wire === 5) this.pos += 4;
    else throw new Error(`unsupported protobuf wire type ${wire}`);
  }
}

/** Iterates (field number, wire type) over a message, calling `on` for each field. */
function fields(buf: Buffer, on: (field: number, wire: number, r: Reader) => void): void {
  const r = new Reader(buf);
  while (!r.done()) {
    const key = Number(r.varint());
    on(key >> 3, key & 7, r);
  }
}

function mapEntry(buf: Buffer): [string, Buffer] {
  let k = "";
  let v: Buffer = Buffer.alloc(0);
  fields(buf, (f, wire, r) => {
    if (f === 1 && wire === 2) k = r.bytes().toString("utf8");
    else if (f === 2 && wire === 2) v = r.bytes();
    else r.skip(wire);
  });
  return [k, v];
}

function time(buf: Buffer): string {
  let seconds = 0;
  fields(buf, (f, wire, r) => {
    if (f === 1 && wire === 0) seconds = Number(BigInt.asIntN(64, r.varint()));
    else r.skip(wire);
  });
  return new Date(seconds * 1000).toISOString().replace(/\.\d+Z$/, "Z");
}

function decodeMessage(buf: Buffer, d: Descriptor): Obj {
  const out: Obj = {};
  fields(buf, (f, wire, r) => {
    const spec = d[f];
    if (!spec) return r.skip(wire);
    const [name, type] = spec;
    if (type === "int") out[name] = Number(BigInt.asIntN(64, r.varint()));
    else if (type === "bool") out[name] = r.varint() !== 0n;
    else if (wire !== 2) r.skip(wire);
    else if (type === "string") out[name] = r.bytes().toString("utf8");
    else if (type === "bytes") out[name] = r.bytes().toString("base64");
    else if (type === "time") out[name] = time(r.bytes());
    else if (type === "strings") out[name] = [...((out[name] as string[] | undefined) ?? []), r.bytes().toString("utf8")];
    else if (type === "map" || type === "bytesmap") {
      const [k, v] = mapEntry(r.bytes());
      out[name] = { ...((out[name] as Obj | undefined) ?? {}), [k]: type === "map" ? v.toString("utf8") : v.toString("base64") };
    } else if ("repeated" in type)
      out[name] = [...((out[name] as Obj[] | undefined) ?? []), decodeMessage(r.bytes(), type.repeated as Descriptor)];
    else out[name] = decodeMessage(r.bytes(), type as Descriptor);
  });
  return out;
}

const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]); // "k8s\0"

/** Decodes a runtime.Unknown envelope into a JSON object; undefined when the kind is not supported. */
export function decodeKubeProtobuf(body: Buffer): Obj | undefined {
  if (!body.subarray(0, 4).equals(MAGIC)) throw new Error("protobuf body without the k8s magic prefix");
  let apiVersion = "";
  let kind = "";
  let raw: Buffer = Buffer.alloc(0);
  fields(body.subarray(4), (f, wire, r) => {
    if (f === 1 && wire === 2) {
      fields(r.bytes(), (tf, tw, tr) => {
        if (tf === 1 && tw === 2) apiVersion = tr.bytes().toString("utf8");
        else if (tf === 2 && tw === 2) kind = tr.bytes().toString("utf8");
        else tr.skip(tw);
      });
    } else if (f === 2 && wire === 2) raw = r.bytes();
    else r.skip(wire);
  });
  const d = kinds[kind];
  if (!d) return undefined;
  return { apiVersion, kind, ...decodeMessage(raw, d) };
}
