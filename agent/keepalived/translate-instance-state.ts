/**
 * What translating one vrrp_instance carries from keyword to keyword: the
 * YAML-form instance being built, the blocks later checks name, and the
 * global_defs settings instances inherit.
 */
import type { Block } from "./parser.js";
import type { Ctx } from "./translate-util.js";
import type { NotifyUserLine } from "./translate-notify.js";

export type Obj = Record<string, unknown>;

/** Settings from global_defs that instances inherit. */
export interface Globals {
  readonly version?: { readonly value: number; readonly b: Block };
  /** floatip garp field → value, from vrrp_garp_master_*. */
  readonly garp: ReadonlyMap<string, { readonly value: unknown; readonly b: Block }>;
  /** vrrp_garp_interval (4) and vrrp_gna_interval (6): floatip garp.interval for instances of that family. */
  readonly garpInterval: ReadonlyMap<4 | 6, { readonly value: unknown; readonly b: Block }>;
  /** vrrp_strict in global_defs. */
  readonly strict?: Block;
  /** script_user in global_defs: the default user of notify commands. */
  readonly scriptUser?: { readonly value: string; readonly b: Block };
}

export interface St {
  readonly ctx: Ctx;
  readonly path: string;
  readonly out: Obj;
  readonly garp: Obj;
  readonly notify: Obj;
  readonly notifyLines: NotifyUserLine[];
  readonly track: Record<string, unknown[]>;
  state?: Block;
  priority?: Block;
  preempt?: Block;
  preemptDelay?: Block;
  source?: { readonly value: string; readonly b: Block };
  peers?: unknown[];
  peerBlock?: Block;
  authBlock?: Block;
  strict?: Block;
  vmacXmitBase?: Block;
  advertInt?: Block;
  nativeIpv6?: Block;
  /** The `interface` argument, known before dispatch: a track_interface entry naming it is dropped. */
  ownInterface?: string;
}
