/**
 * node:http and node:https, loaded with require rather than imported as ES
 * modules: an ES import builds the module's namespace by reading every
 * export, and node:http's WebSocket, CloseEvent and MessageEvent are lazy
 * getters that load undici (with http2, zlib, web streams): about 8 MiB of
 * resident memory and 2 MiB of heap that no part of floatip uses
 * (bench/notes.md, issue 20). require hands over the exports object without
 * reading them. Loaded on the first call, so a process that never speaks
 * HTTP never loads node:http.
 */
import { createRequire } from "node:module";

type Http = typeof import("node:http");
type Https = typeof import("node:https");

const requireBuiltin = createRequire(import.meta.url);

export function nodeHttp(): Http {
  return requireBuiltin("node:http") as Http;
}

export function nodeHttps(): Https {
  return requireBuiltin("node:https") as Https;
}
