/**
 * Starting corpora and dictionaries of the coverage-guided driver, per
 * target, in the targets' byte formats (fuzz/targets/inputs.ts): valid
 * examples to mutate from (golden keepalived adverts, a keepalived.conf
 * with an include, a YAML config) and the tokens the mutator inserts.
 */
import { GOLDEN_ADVERTS } from "../../agent/vrrp/golden.js";
import type { TargetName } from "../findings.js";
import { ADDRESSING, encodeAdvertCase, encodeKeepalivedCase } from "../targets/inputs.js";

function advertSeeds(): Buffer[] {
  return GOLDEN_ADVERTS.map((g) => {
    const family = g.source.includes(":") ? 6 : 4;
    const i = ADDRESSING.findIndex((a) => a.source === g.source && a.destination === g.destination);
    return encodeAdvertCase({ family, checksum: "as-given", addressing: i < 0 ? 0 : i, payload: Buffer.from(g.hex, "hex") });
  });
}

const KEEPALIVED_MAIN = `global_defs {
  router_id lab
}
vrrp_script chk {
  script "/bin/true"
  interval 2
  weight -10
  fall 2
  rise 1
}
vrrp_instance VI_1 {
  state MASTER
  interface eth0
  virtual_router_id 51
  priority 150
  advert_int 1
  authentication {
    auth_type PASS
    auth_pass secret
  }
  virtual_ipaddress {
    192.0.2.100/24 dev eth0
  }
  track_script {
    chk
  }
}
include inc/*.conf
`;

const KEEPALIVED_INCLUDED = `vrrp_instance VI_6 {
  interface eth1
  virtual_router_id 52
  version 3
  nopreempt
  unicast_src_ip 2001:db8::1
  unicast_peer {
    2001:db8::2
  }
  virtual_ipaddress {
    2001:db8::100/64
  }
}
`;

const YAML = `scripts:
  - name: chk
    command: /bin/true
    interval: 2s
    weight: -10
instances:
  - name: web
    interface: eth0
    virtualRouterID: 51
    priority: 150
    version: 2
    advertisementInterval: 1s
    addresses: ["192.0.2.5/24"]
    authentication: { password: secret }
    track: { scripts: [{ name: chk }] }
  - name: v6
    interface: eth0
    virtualRouterID: 52
    addresses:
      - 2001:db8::5/64
    unicast:
      peers: [2001:db8::2]
`;

const words = (text: string): Uint8Array[] =>
  text
    .trim()
    .split(/\s+/)
    .map((w) => Buffer.from(w.replaceAll("␣", " ").replaceAll("⏎", "\n")));

const KEEPALIVED_TOKENS = words(`
  vrrp_instance vrrp_script vrrp_sync_group global_defs include virtual_router_id priority state MASTER BACKUP
  interface advert_int version nopreempt preempt_delay virtual_ipaddress virtual_ipaddress_excluded
  authentication auth_type auth_pass PASS AH track_script track_interface track_file unicast_src_ip
  unicast_peer notify notify_master garp_master_delay garp_master_repeat script interval weight fall rise
  timeout dev label { } " ! # \\⏎ ⏎ ␣ inc/*.conf 1.conf ../keepalived.conf 192.0.2.1 192.0.2.1/24
  2001:db8::1 2001:db8::1/64 fe80::1 0 1 255 256 -1 -254 0.001 99999999999 1e309 ${"\0"}
`);

const YAML_TOKENS = words(`
  instances: scripts: trackFiles: name: interface: virtualRouterID: virtualRouterId: priority: version: advertisementInterval: advertInterval:
  addresses: authentication: password: unicast: peers: track: preempt: preemptDelay: initialState: garp:
  notify: command: interval: timeout: weight: fall: rise: path: files: - ␣-␣ : ⏎ ⏎␣␣ ␣␣ [ ] { } , ' "
  & * &a *a << ! !!str !!int !!map ? | > --- ... # ~ null true false .inf -.inf .nan 0x10 0o7 1e309
  1s 100ms 2m 0s -1s 192.0.2.5/24 2001:db8::5/64 master backup 255 256 0 -1
`);

const ADVERT_TOKENS = [
  [0x21],
  [0x31],
  [0x11],
  [0x22],
  [0x00],
  [0xff],
  [0x01, 0x00],
  [0x00, 0x64],
  [0xc0, 0x00, 0x02, 0x64],
  [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1],
  [0x73, 0x65, 0x63, 0x72, 0x65, 0x74, 0, 0],
].map((b) => Uint8Array.from(b));

export interface TargetSeeds {
  readonly seeds: readonly Uint8Array[];
  readonly dictionary: readonly Uint8Array[];
}

export function targetSeeds(target: TargetName): TargetSeeds {
  switch (target) {
    case "decode-advert":
      return { seeds: advertSeeds(), dictionary: ADVERT_TOKENS };
    case "keepalived-config":
      return { seeds: [encodeKeepalivedCase([KEEPALIVED_MAIN, KEEPALIVED_INCLUDED])], dictionary: KEEPALIVED_TOKENS };
    case "yaml-config":
      return { seeds: [Buffer.from(YAML)], dictionary: YAML_TOKENS };
  }
}
