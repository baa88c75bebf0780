/**
 * keepalived promote_secondaries: net.ipv4.conf.IF.promote_secondaries=1
 * on the interface of each instance that asks for it, so deleting a VIP that
 * is the primary address of its subnet promotes the subnet's other addresses
 * instead of deleting them with it. As keepalived 2.2.7: set while at least
 * one such instance runs on the interface, and put back to 0 when the last
 * one stops, unless it was 1 already before (then it is left alone).
 */
import type { InterfaceFlags } from "./ports.js";
import type { Sysctl } from "./vmac-links.js";

const key = (ifname: string) => `ipv4/conf/${ifname}/promote_secondaries`;

export class SysctlPromoteSecondaries implements InterfaceFlags {
  /** Interface → how many instances hold it, and whether floatip turned the flag on. */
  private readonly held = new Map<string, { count: number; readonly changed: boolean }>();

  constructor(private readonly sysctl: Sysctl) {}

  async hold(ifname: string): Promise<void> {
    const state = this.held.get(ifname);
    if (state !== undefined) {
      state.count++;
      return;
    }
    const before = (await this.sysctl.read(key(ifname))).trim();
    if (before !== "1") await this.sysctl.write(key(ifname), "1");
    this.held.set(ifname, { count: 1, changed: before !== "1" });
  }

  async release(ifname: string): Promise<void> {
    const state = this.held.get(ifname);
    if (state === undefined) return;
    if (--state.count > 0) return;
    this.held.delete(ifname);
    if (state.changed) await this.sysctl.write(key(ifname), "0");
  }
}
