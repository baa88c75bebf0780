/**
 * Numeric order of addresses, for the VRRP tie-break on equal priority
 * (RFC 5798 §6.4.3: the higher primary address wins).
 */
import { parseAddress } from "./address-bytes.js";

/** <0, 0, >0 as a is numerically below, equal to or above b. Unparsable text sorts lowest. */
export function compareAddresses(a: string, b: string): number {
  const pa = parseAddress(a);
  const pb = parseAddress(b);
  if (!pa.ok || !pb.ok) return (pa.ok ? 1 : 0) - (pb.ok ? 1 : 0);
  if (pa.bytes.length !== pb.bytes.length) return pa.bytes.length - pb.bytes.length;
  for (let i = 0; i < pa.bytes.length; i++) {
    const d = pa.bytes[i]! - pb.bytes[i]!;
    if (d !== 0) return d;
  }
  return 0;
}
