// meta/v1 Status errors, shaped like the real API server's.
import { Obj, ResourceDef, StatusCause, qualifiedKind, qualifiedResource } from "./types.js";

export class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: Obj,
  ) {
    super(message);
  }

  toStatus(): Obj {
    const s: Obj = { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message: this.message, reason: this.reason };
    if (this.details) s.details = this.details;
    s.code = this.code;
    return s;
  }
}

function details(def: ResourceDef, name: string): Obj {
  const d: Obj = { name };
  if (def.group) d.group = def.group;
  d.kind = def.plural;
  return d;
}

export function notFound(def: ResourceDef, name: string): ApiError {
  return new ApiError(404, "NotFound", `${qualifiedResource(def)} "${name}" not found`, details(def, name));
}

export function alreadyExists(def: ResourceDef, name: string): ApiError {
  return new ApiError(409, "AlreadyExists", `${qualifiedResource(def)} "${name}" already exists`, details(def, name));
}

export function conflict(
  def: ResourceDef,
  name: string,
  why = "the object has been modified; please apply your changes to the latest version and try again",
): ApiError {
  return new ApiError(409, "Conflict", `Operation cannot be fulfilled on ${qualifiedResource(def)} "${name}": ${why}`, details(def, name));
}

export function badRequest(message: string): ApiError {
  return new ApiError(400, "BadRequest", message);
}

export function methodNotAllowed(message = "the server does not allow this method on the requested resource"): ApiError {
  return new ApiError(405, "MethodNotAllowed", message);
}

export function unsupportedMediaType(contentType: string, accepted: string[]): ApiError {
  return new ApiError(
    415,
    "UnsupportedMediaType",
    `the body of the request was in an unknown format - accepted media types include: ${accepted.join(", ")}`,
  );
}

export function gone(message: string): ApiError {
  return new ApiError(410, "Expired", message);
}

/** 422 Invalid: `VirtualIP.floatip.io "web" is invalid: spec.version: Unsupported value: ...`. */
export function invalid(def: ResourceDef, name: string, causes: StatusCause[]): ApiError {
  const parts = causes.map((c) => (c.field ? `${c.field}: ${c.message}` : c.message));
  const summary = parts.length === 1 ? parts[0] : `[${parts.join(", ")}]`;
  const d: Obj = { name };
  if (def.group) d.group = def.group;
  d.kind = def.kind;
  d.causes = causes.map((c) => ({ reason: c.reason, message: c.message, field: c.field }));
  return new ApiError(422, "Invalid", `${qualifiedKind(def)} "${name}" is invalid: ${summary}`, d);
}

/** Go-like rendering of a value inside a field error ("Invalid value: 4"). */
export function showValue(v: unknown): string {
  if (typeof v === "string") return JSON.stringify(v);
  if (v === null || v === undefined) return "null";
  if (typeof v === "object") return JSON.stringify(v);
  return String(v);
}

export const cause = {
  required: (field: string): StatusCause => ({ reason: "FieldValueRequired", message: "Required value", field }),
  invalid: (field: string, value: unknown, detail: string): StatusCause => ({
    reason: "FieldValueInvalid",
    message: `Invalid value: ${showValue(value)}: ${detail}`,
    field,
  }),
  notSupported: (field: string, value: unknown, allowed: unknown[]): StatusCause => ({
    reason: "FieldValueNotSupported",
    message: `Unsupported value: ${showValue(value)}: supported values: ${allowed.map((a) => showValue(a)).join(", ")}`,
    field,
  }),
  tooMany: (field: string, n: number, max: number): StatusCause => ({
    reason: "FieldValueTooMany",
    message: `Too many: ${n}: must have at most ${max} items`,
    field,
  }),
  tooLong: (field: string, max: number): StatusCause => ({
    reason: "FieldValueTooLong",
    message: `Too long: may not be more than ${max} bytes`,
    field,
  }),
  duplicate: (field: string, value: unknown): StatusCause => ({
    reason: "FieldValueDuplicate",
    message: `Duplicate value: ${showValue(value)}`,
    field,
  }),
  forbidden: (field: string, detail: string): StatusCause => ({ reason: "FieldValueForbidden", message: `Forbidden: ${detail}`, field }),
};
