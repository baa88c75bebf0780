// HTTP handling of the test API server: discovery, resource verbs, watch, Table output.
import type { IncomingMessage, ServerResponse } from "node:http";
import yaml from "js-yaml";
import { Api } from "./api.js";
import { type Fault, matchingFault } from "./faults.js";
import { SERVER_VERSION, apiGroup, apiGroupList, apiResourceList, apiVersions } from "./discovery.js";
import { openApiV3 } from "./openapi.js";
import { decodeKubeProtobuf } from "./protobuf.js";
import { Registry } from "./registry.js";
import { ResourceRoute, parseRoute } from "./routes.js";
import { makeSelector } from "./selectors.js";
import { ApiError, badRequest, methodNotAllowed, unsupportedMediaType } from "./status.js";
import { Store } from "./store.js";
import { acceptedForm, partialObjectMetadata, toTable } from "./table.js";
import { KubeObject, Obj, RequestLogEntry, ResourceDef, groupVersion, isObj } from "./types.js";
import { WatchHandle, serveWatch } from "./watch.js";

export interface HandlerDeps {
  api: Api;
  registry: Registry;
  store: Store;
  log: RequestLogEntry[];
  watches: Set<WatchHandle>;
  bookmarkIntervalMs: number;
  hostPort: () => string;
  /** Requests refused before they reach the resource (faults.ts). */
  faults: readonly Fault[];
}

/** The real API server's limit on a write's body (MaxRequestBodyBytes, 3 MiB). */
const MAX_REQUEST_BODY_BYTES = 3 * 1024 * 1024;

const notFoundPage = (): ApiError => new ApiError(404, "NotFound", "the server could not find the requested resource");

function send(res: ServerResponse, code: number, body: unknown, contentType = "application/json"): void {
  const text = JSON.stringify(body);
  res.writeHead(code, { "Content-Type": contentType, "Content-Length": Buffer.byteLength(text) });
  res.end(text);
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

function parseObjectBody(body: Buffer, contentType: string): unknown {
  const type = contentType.split(";")[0]?.trim().toLowerCase() ?? "";
  if (type === "application/vnd.kubernetes.protobuf") {
    const decoded = decodeKubeProtobuf(body);
    if (decoded) return decoded;
  }
  const raw = body.toString("utf8");
  if (raw.trim() === "") throw badRequest("the request body is empty");
  if (type === "application/json" || type === "" || type === "*/*") {
    try {
      return JSON.parse(raw);
    } catch (e) {
      throw badRequest(`couldn't get version/kind; json parse error: ${(e as Error).message}`);
    }
  }
  if (type === "application/yaml") return yaml.load(raw);
  throw unsupportedMediaType(type, ["application/json", "application/yaml"]);
}

function verbOf(method: string, route: ResourceRoute, watch: boolean): string {
  switch (method) {
    case "GET":
      return route.name ? "get" : watch ? "watch" : "list";
    case "POST":
      return "create";
    case "PUT":
      return "update";
    case "PATCH":
      return "patch";
    case "DELETE":
      return route.name ? "delete" : "deletecollection";
    default:
      return method.toLowerCase();
  }
}

function discovery(deps: HandlerDeps, doc: string, group?: string, version?: string): Obj {
  let body: Obj | undefined;
  if (doc === "version") body = SERVER_VERSION;
  else if (doc === "api") body = apiVersions(deps.hostPort());
  else if (doc === "apis") body = apiGroupList(deps.registry);
  else if (doc === "group") body = apiGroup(deps.registry, group ?? "");
  else if (doc === "resources") body = apiResourceList(deps.registry, group ?? "", version ?? "");
  if (!body) throw notFoundPage();
  return body;
}

export async function handle(deps: HandlerDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? "/", "http://localhost");
  const q = url.searchParams;
  const method = req.method ?? "GET";
  const entry: RequestLogEntry = {
    method,
    path: url.pathname,
    query: url.search,
    verb: method.toLowerCase(),
    contentType: req.headers["content-type"],
    accept: req.headers.accept,
  };
  deps.log.push(entry);
  res.on("finish", () => (entry.status = entry.status ?? res.statusCode));
  try {
    const raw = method === "GET" ? Buffer.alloc(0) : await readBody(req);
    const route = parseRoute(url.pathname, (g, v, p) => deps.registry.find(g, v, p)?.namespaced === true);
    if (route.kind === "discovery") {
      if (route.doc === "health") {
        res.writeHead(200, { "Content-Type": "text/plain" });
        res.end("ok");
        return;
      }
      if (method !== "GET") throw methodNotAllowed();
      if (route.doc === "openapi") {
        const doc = url.pathname.startsWith("/openapi/v3") ? openApiV3(deps.registry, url.pathname) : undefined;
        if (!doc) throw notFoundPage();
        send(res, 200, doc);
        return;
      }
      send(res, 200, discovery(deps, route.doc, route.group, route.version));
      return;
    }
    const def = deps.registry.find(route.group, route.version, route.plural);
    const watch = route.legacyWatch || q.get("watch") === "true" || q.get("watch") === "1";
    Object.assign(entry, {
      verb: verbOf(method, route, watch),
      group: route.group,
      version: route.version,
      resource: route.plural,
      subresource: route.subresource,
      namespace: route.namespace,
      name: route.name,
    });
    if (!def) throw notFoundPage();
    if (raw.length > MAX_REQUEST_BODY_BYTES)
      throw new ApiError(413, "RequestEntityTooLarge", `Request entity too large: limit is ${MAX_REQUEST_BODY_BYTES}`);
    const fault = matchingFault(deps.faults, entry);
    if (fault !== undefined) throw new ApiError(fault.code, fault.reason, fault.message);
    if (route.namespace !== undefined && !def.namespaced) throw notFoundPage();
    if (route.subresource !== undefined && !(route.subresource === "status" && def.statusSubresource)) throw notFoundPage();
    if (def.namespaced && route.namespace === undefined && !(method === "GET" && !route.name)) throw notFoundPage();
    await resource(deps, def, route, entry.verb, q, raw, req, res, entry);
  } catch (e) {
    const err = e instanceof ApiError ? e : new ApiError(500, "InternalError", `Internal error occurred: ${(e as Error).message}`);
    if (!res.headersSent) send(res, err.code, err.toStatus());
    else res.end();
  }
}

async function resource(
  deps: HandlerDeps,
  def: ResourceDef,
  route: ResourceRoute,
  verb: string,
  q: URLSearchParams,
  raw: Buffer,
  req: IncomingMessage,
  res: ServerResponse,
  entry: RequestLogEntry,
): Promise<void> {
  const { api } = deps;
  const ns = route.namespace;
  const name = route.name ?? "";
  const dryRun = q.getAll("dryRun").includes("All");
  const warnings: string[] = [];
  const opts = { dryRun, subresource: route.subresource, fieldValidation: q.get("fieldValidation") ?? undefined, warnings };
  const form = acceptedForm(req.headers.accept);
  const selector = (): ReturnType<typeof makeSelector> =>
    makeSelector(q.get("labelSelector") ?? undefined, q.get("fieldSelector") ?? undefined);
  const output = (code: number, o: KubeObject): void => {
    if (warnings.length > 0)
      res.setHeader(
        "Warning",
        warnings.map((w) => `299 - ${JSON.stringify(w)}`),
      );
    if (form.as === "Table")
      send(
        res,
        code,
        toTable(def, [o], { resourceVersion: o.metadata.resourceVersion }, q.get("includeObject") ?? "Metadata", form.version),
        tableType(form.version),
      );
    else if (form.as === "PartialObjectMetadata")
      send(res, code, partialObjectMetadata(o, form.version), metaType(form.version, "PartialObjectMetadata"));
    else send(res, code, o);
  };
  switch (verb) {
    case "get":
      output(200, api.get(def, ns, name));
      return;
    case "list": {
      const limit = q.get("limit") ? Number(q.get("limit")) : undefined;
      const r = api.list(def, ns, selector(), limit, q.get("continue") ?? undefined);
      const meta: Obj = { resourceVersion: r.resourceVersion };
      if (r.continue) meta.continue = r.continue;
      if (r.remainingItemCount !== undefined) meta.remainingItemCount = r.remainingItemCount;
      if (form.as === "Table")
        send(res, 200, toTable(def, r.items, meta, q.get("includeObject") ?? "Metadata", form.version), tableType(form.version));
      else if (form.as === "PartialObjectMetadataList" || form.as === "PartialObjectMetadata") {
        const items = r.items.map((o) => partialObjectMetadata(o, form.version));
        send(
          res,
          200,
          { kind: "PartialObjectMetadataList", apiVersion: `meta.k8s.io/${form.version}`, metadata: meta, items },
          metaType(form.version, "PartialObjectMetadataList"),
        );
      } else send(res, 200, { kind: def.listKind, apiVersion: groupVersion(def), metadata: meta, items: r.items });
      return;
    }
    case "watch": {
      const rv = q.get("resourceVersion") ?? undefined;
      if (rv !== undefined && rv !== "" && !/^\d+$/.test(rv)) throw badRequest(`invalid resource version: ${rv}`);
      const timeout = q.get("timeoutSeconds");
      entry.status = 200;
      let first = true;
      const transform =
        form.as === "Table"
          ? (o: KubeObject): unknown => {
              const t = toTable(
                def,
                [o],
                { resourceVersion: o.metadata.resourceVersion },
                q.get("includeObject") ?? "Metadata",
                form.version,
              );
              if (!first) t.columnDefinitions = [];
              first = false;
              return t;
            }
          : form.as
            ? (o: KubeObject): unknown => partialObjectMetadata(o, form.version)
            : undefined;
      const h = serveWatch(
        deps.store,
        res,
        {
          def,
          namespace: ns,
          selector: selector(),
          resourceVersion: rv,
          timeoutSeconds: timeout ? Number(timeout) : undefined,
          allowBookmarks: q.get("allowWatchBookmarks") === "true",
          sendInitialEvents: q.get("sendInitialEvents") === "true",
          bookmarkIntervalMs: deps.bookmarkIntervalMs,
          transform,
        },
        (handle) => deps.watches.delete(handle),
      );
      if (!h.ended) deps.watches.add(h);
      return;
    }
    case "create":
      if (route.name) throw methodNotAllowed();
      output(201, api.create(def, ns, parseObjectBody(raw, req.headers["content-type"] ?? ""), opts));
      return;
    case "update":
      output(200, api.update(def, ns, name, parseObjectBody(raw, req.headers["content-type"] ?? ""), opts));
      return;
    case "patch": {
      const r = api.patch(def, ns, name, req.headers["content-type"] ?? "", raw.toString("utf8"), opts);
      output(r.created ? 201 : 200, r.object);
      return;
    }
    case "delete":
    case "deletecollection": {
      let options: Obj = {};
      if (raw.length > 0 && raw.toString("utf8").trim() !== "") {
        const parsed = parseObjectBody(raw, req.headers["content-type"] ?? "application/json");
        if (isObj(parsed)) options = parsed;
      }
      if (verb === "delete") {
        output(200, api.delete(def, ns, name, options, dryRun));
        return;
      }
      const items = api.deleteCollection(def, ns, selector(), options, dryRun);
      send(res, 200, {
        kind: def.listKind,
        apiVersion: groupVersion(def),
        metadata: { resourceVersion: String(deps.store.currentRv()) },
        items,
      });
      return;
    }
    default:
      throw methodNotAllowed();
  }
}

function tableType(version: string): string {
  return `application/json;as=Table;v=${version};g=meta.k8s.io`;
}

function metaType(version: string, as: string): string {
  return `application/json;as=${as};v=${version};g=meta.k8s.io`;
}
