/**
 * An advert whose address list differs from ours is taken (vrrp/receive-checks.ts:
 * nodes with different configs, e.g. a reload in progress). The router says
 * so once per source and list, not per advert, and again when they agree.
 */
import type { ArrivedAdvert } from "../vrrp/receive-checks.js";
import type { Logger } from "../../base/logger.js";

export class AddressListNotes {
  /** Source and sorted list of the last accepted advert whose list differed from ours. */
  private last: string | undefined;

  constructor(private readonly log: Logger) {}

  /** An accepted advert; `mismatch`: its list differs from `ours`. */
  note(arrived: ArrivedAdvert, mismatch: boolean, ours: () => readonly string[]): void {
    if (!mismatch) {
      if (this.last?.startsWith(`${arrived.source} `) === true) {
        this.last = undefined;
        this.log.log("info", "address lists agree again", { source: arrived.source });
      }
      return;
    }
    const key = `${arrived.source} ${[...arrived.advert.addresses].sort().join(",")}`;
    if (key === this.last) return;
    this.last = key;
    this.log.log("warn", "advert with an address list other than ours taken (nodes with different configs, e.g. a reload in progress)", {
      source: arrived.source,
      theirs: arrived.advert.addresses,
      ours: ours(),
    });
  }
}
