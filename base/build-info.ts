/**
 * What this build is: package.json's version and the Node.js running it. Printed by
 * `floatip --version` and exported as floatip_build_info by the agent and the controller.
 * package.json sits two levels above this file both in a checkout (dist/base/) and
 * in the image (/app/dist/base/, with /app/package.json copied).
 */
import { readFileSync } from "node:fs";

/**
 * The image repository the release workflow publishes (.github/workflows/release.yml, IMAGE) and the
 * chart's default image.repository; test/release/workflows.test.ts holds the three equal.
 */
export const PUBLISHED_IMAGE = "ghcr.io/floatip/floatip";

export interface BuildInfo {
  /** package.json's version, e.g. "0.1.0". */
  readonly version: string;
  /** process.version, e.g. "v24.22.3". */
  readonly nodeVersion: string;
}

/** Reads package.json once per call (at start-up and for --version only). */
export function readBuildInfo(): BuildInfo {
  const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version?: unknown };
  if (typeof pkg.version !== "string") throw new Error("package.json has no version");
  return { version: pkg.version, nodeVersion: process.version };
}

/** The labels of floatip_build_info (the same in the agent and the controller). */
export function buildInfoLabels(info: BuildInfo): { version: string; node_version: string } {
  return { version: info.version, node_version: info.nodeVersion };
}

export const BUILD_INFO_HELP = "1, with the floatip version and the Node.js version as labels";
