/**
 * The control-plane VIP as a static pod, as plain data: flags in, an agent
 * config and a Pod out. Pure; `manifest-command.ts` does the I/O.
 *
 * The agent config travels inside the pod (static pods cannot mount
 * ConfigMaps: the kubelet starts them before, and without, an API server):
 * it is the value of the FLOATIP_CONFIG environment variable, which the
 * agent reads with `--config-env FLOATIP_CONFIG`. The config is checked by
 * the agent's own validator before anything is written, and every error
 * names the flag that caused it.
 */
import type { ConfigError } from "../config/validate.js";
import { validateAgentConfig } from "../config/validate.js";
import { parseHost } from "../config/cidr.js";
import yaml from "js-yaml";

export const CONFIG_ENV = "FLOATIP_CONFIG";
export const STATE_DIR = "/run/floatip";
export const DEFAULT_CA_FILE = "/etc/kubernetes/pki/ca.crt";
/** kubeadm always puts this name on kube-apiserver's serving certificate; 127.0.0.1 it does not. */
export const APISERVER_CERT_NAME = "kubernetes";

/** The flags after parsing, as strings where the validator should judge them. */
export interface ControlPlaneFlags {
  readonly address?: string;
  readonly interface?: string;
  readonly peers?: string;
  readonly source?: string;
  readonly priority?: string;
  readonly vrid?: string;
  readonly advertInterval?: string;
  readonly image?: string;
  readonly apiserverAddress?: string;
  readonly apiserverPort?: string;
  readonly apiserverCa?: string;
  readonly insecureSkipVerify?: boolean;
  readonly checkInterval?: string;
  readonly checkFall?: string;
  readonly checkRise?: string;
  readonly checkWeight?: string;
  readonly metricsPort?: string;
  readonly name?: string;
}

export interface FlagError {
  /** The flag at fault, e.g. "--vrid". */
  readonly flag: string;
  readonly message: string;
}

export interface ControlPlaneManifest {
  /** The agent config (floatip YAML schema) as embedded in the pod. */
  readonly config: Record<string, unknown>;
  /** The same config as the YAML text the pod carries. */
  readonly configText: string;
  readonly pod: Record<string, unknown>;
}

export type ManifestResult =
  | { readonly ok: true; readonly manifest: ControlPlaneManifest }
  | { readonly ok: false; readonly errors: readonly FlagError[] };

export const DEFAULTS = {
  priority: 100,
  vrid: 254,
  advertInterval: "1s",
  apiserverAddress: "127.0.0.1",
  apiserverPort: 6443,
  checkInterval: "1s",
  checkFall: 3,
  checkRise: 2,
  checkWeight: 0,
  metricsPort: 9111,
  name: "floatip-control-plane",
} as const;

/** Which flag set which field of the generated config, to name it in errors. */
const FLAG_OF_PATH: readonly (readonly [RegExp, string])[] = [
  [/^instances\[0\]\.addresses/, "--address"],
  [/^instances\[0\]\.interface/, "--interface"],
  [/^instances\[0\]\.unicast\.peers/, "--peers"],
  [/^instances\[0\]\.unicast\.source/, "--source"],
  [/^instances\[0\]\.priority/, "--priority"],
  [/^instances\[0\]\.virtualRouterID/, "--vrid"],
  [/^instances\[0\]\.advertisementInterval/, "--advert-interval"],
  [/^httpChecks\[0\]\.url/, "--apiserver-address"],
  [/^httpChecks\[0\]\.interval/, "--check-interval"],
  [/^httpChecks\[0\]\.fall/, "--check-fall"],
  [/^httpChecks\[0\]\.rise/, "--check-rise"],
  [/^httpChecks\[0\]\.weight/, "--check-weight"],
  [/^httpChecks\[0\]\.tls\.caFile/, "--apiserver-ca"],
];

/** Digits become a number (the validator judges range); anything else stays text (the validator says what it is). */
function numeric(text: string | undefined, fallback: number): number | string {
  if (text === undefined) return fallback;
  return /^-?\d+$/.test(text.trim()) ? Number(text.trim()) : text;
}

export function buildControlPlaneManifest(flags: ControlPlaneFlags): ManifestResult {
  const errors: FlagError[] = [];
  const required = (value: string | undefined, flag: string): string | undefined => {
    if (value === undefined || value.trim() === "") errors.push({ flag, message: "is required" });
    return value?.trim();
  };
  const address = required(flags.address, "--address");
  const iface = required(flags.interface, "--interface");
  const image = flags.image ?? "";
  if (flags.image !== undefined && (image.trim() === "" || /\s/.test(image)))
    errors.push({ flag: "--image", message: `must be an image reference without spaces, got "${image}"` });
  const port = numeric(flags.apiserverPort, DEFAULTS.apiserverPort);
  const portOk = typeof port === "number" && port >= 1 && port <= 65535;
  if (!portOk) errors.push({ flag: "--apiserver-port", message: `must be a port number 1..65535, got "${flags.apiserverPort}"` });
  const metricsPort = numeric(flags.metricsPort, DEFAULTS.metricsPort);
  if (typeof metricsPort !== "number" || metricsPort < 1 || metricsPort > 65535)
    errors.push({ flag: "--metrics-port", message: `must be a port number 1..65535, got "${flags.metricsPort}"` });
  const name = flags.name ?? DEFAULTS.name;
  if (!/^[a-z0-9]([-a-z0-9]{0,48}[a-z0-9])?$/.test(name))
    errors.push({
      flag: "--name",
      message: `must be a DNS label of at most 50 characters (the kubelet appends the node name), got "${name}"`,
    });
  if (flags.insecureSkipVerify === true && flags.apiserverCa !== undefined) {
    errors.push({ flag: "--insecure-skip-verify", message: "and --apiserver-ca exclude each other" });
  }
  const apiserver = parseHost(flags.apiserverAddress ?? DEFAULTS.apiserverAddress);
  if (!apiserver.ok) errors.push({ flag: "--apiserver-address", message: apiserver.message });
  const apiserverHost = apiserver.ok ? apiserver.address : DEFAULTS.apiserverAddress;
  const peers =
    flags.peers === undefined
      ? undefined
      : flags.peers
          .split(",")
          .map((p) => p.trim())
          .filter((p) => p !== "");
  if (flags.peers !== undefined && peers?.length === 0)
    errors.push({ flag: "--peers", message: "must list at least one address (leave it out for multicast)" });
  if (flags.source !== undefined && peers === undefined)
    errors.push({ flag: "--source", message: "applies to unicast only (give --peers too)" });

  const caFile = flags.insecureSkipVerify === true ? undefined : (flags.apiserverCa ?? DEFAULT_CA_FILE);
  const urlHost = apiserver.ok && apiserver.family === 6 ? `[${apiserverHost}]` : apiserverHost;
  const config: Record<string, unknown> = {
    httpChecks: [
      {
        name: "kube-apiserver",
        url: `https://${urlHost}:${portOk ? port : DEFAULTS.apiserverPort}/readyz`,
        interval: flags.checkInterval ?? DEFAULTS.checkInterval,
        fall: numeric(flags.checkFall, DEFAULTS.checkFall),
        rise: numeric(flags.checkRise, DEFAULTS.checkRise),
        weight: numeric(flags.checkWeight, DEFAULTS.checkWeight),
        tls: caFile === undefined ? { insecureSkipVerify: true } : { caFile, serverName: APISERVER_CERT_NAME },
      },
    ],
    instances: [
      {
        name: "control-plane",
        interface: iface ?? "",
        virtualRouterID: numeric(flags.vrid, DEFAULTS.vrid),
        version: 3,
        priority: numeric(flags.priority, DEFAULTS.priority),
        advertisementInterval: flags.advertInterval ?? DEFAULTS.advertInterval,
        addresses: [address ?? ""],
        ...(peers !== undefined ? { unicast: { ...(flags.source !== undefined ? { source: flags.source.trim() } : {}), peers } } : {}),
        track: { httpChecks: ["kube-apiserver"] },
      },
    ],
  };
  // Required flags already reported; the validator would only repeat them.
  const validated = validateAgentConfig(config);
  if (!validated.ok) {
    // A check rejected for a bad flag is also missing for the instance's reference to it: one error is enough.
    const checkFailed = validated.errors.some((e) => e.path.startsWith("httpChecks[0]"));
    for (const e of validated.errors) {
      if (checkFailed && e.path.startsWith("instances[0].track.httpChecks")) continue;
      const error = toFlagError(e);
      if (!errors.some((x) => x.flag === error.flag && (x.message === "is required" || x.message === error.message))) errors.push(error);
    }
  }
  if (errors.length > 0) return { ok: false, errors };

  const configText = yaml.dump(config, { lineWidth: -1, noRefs: true, flowLevel: 3 });
  return {
    ok: true,
    manifest: { config, configText, pod: renderPod({ name, image, caFile, configText, metricsPort: metricsPort as number }) },
  };
}

function toFlagError(e: ConfigError): FlagError {
  const flag = FLAG_OF_PATH.find(([re]) => re.test(e.path))?.[1];
  if (flag === undefined) return { flag: "(generated config)", message: `${e.path}: ${e.message}` };
  return { flag, message: e.message };
}

function renderPod(o: {
  name: string;
  image: string;
  caFile: string | undefined;
  configText: string;
  metricsPort: number;
}): Record<string, unknown> {
  const labels = { "app.kubernetes.io/name": "floatip", "app.kubernetes.io/component": "control-plane-vip" };
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: o.name, namespace: "kube-system", labels },
    spec: {
      // VRRP, gratuitous ARP and the VIP itself live on the node's interfaces.
      hostNetwork: true,
      priorityClassName: "system-node-critical",
      // SIGTERM: a master sends priority 0 (the peer takes over after Skew_Time) and removes the VIP.
      terminationGracePeriodSeconds: 10,
      securityContext: { seccompProfile: { type: "RuntimeDefault" } },
      containers: [
        {
          name: "floatip",
          image: o.image,
          imagePullPolicy: "IfNotPresent",
          args: ["agent", `--config-env=${CONFIG_ENV}`, `--state-dir=${STATE_DIR}`, `--metrics-address=127.0.0.1:${o.metricsPort}`],
          env: [{ name: CONFIG_ENV, value: o.configText }],
          livenessProbe: {
            httpGet: { host: "127.0.0.1", port: o.metricsPort, path: "/healthz" },
            initialDelaySeconds: 15,
            periodSeconds: 10,
            timeoutSeconds: 3,
            failureThreshold: 3,
          },
          resources: { requests: { cpu: "10m", memory: "48Mi" } },
          securityContext: {
            // Root only so the two capabilities below survive exec; everything else is dropped.
            runAsUser: 0,
            runAsGroup: 0,
            runAsNonRoot: false,
            privileged: false,
            allowPrivilegeEscalation: false,
            readOnlyRootFilesystem: true,
            capabilities: { drop: ["ALL"], add: ["NET_ADMIN", "NET_RAW"] },
          },
          volumeMounts: [
            { name: "state", mountPath: STATE_DIR },
            ...(o.caFile !== undefined ? [{ name: "apiserver-ca", mountPath: o.caFile, readOnly: true }] : []),
          ],
        },
      ],
      volumes: [
        { name: "state", emptyDir: { medium: "Memory", sizeLimit: "16Mi" } },
        ...(o.caFile !== undefined ? [{ name: "apiserver-ca", hostPath: { path: o.caFile, type: "File" } }] : []),
      ],
    },
  };
}

/** The file the command writes: a comment saying how it was made, then the Pod. */
export function formatManifest(pod: Record<string, unknown>, commandLine: string): string {
  return [
    "# Static pod for the control-plane VIP (floatip agent, standalone: no API server needed to elect).",
    `# Generated by: ${commandLine}`,
    "# Regenerate rather than edit; the agent config is the FLOATIP_CONFIG value below.",
    yaml.dump(pod, { lineWidth: -1, noRefs: true }),
  ].join("\n");
}
