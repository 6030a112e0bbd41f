/** IPv4 addresses and CIDR blocks as unsigned 32-bit numbers (pure; used by the path analyzer's indexes). */

/** `a.b.c.d` → 0..2^32-1, or undefined when the text is not a dotted-quad IPv4 address. */
export function parseIpv4(text: string): number | undefined {
  // A hand-rolled scanner: this sits on the path analyzer's hot path (no split, no regular expression).
  let value = 0;
  let octet = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      octet = octet * 10 + (c - 48);
      digits++;
      if (digits > 3 || octet > 255) return undefined;
    } else if (c === 46 && digits > 0 && dots < 3) {
      value = value * 256 + octet;
      octet = 0;
      digits = 0;
      dots++;
    } else {
      return undefined;
    }
  }
  if (dots !== 3 || digits === 0) return undefined;
  return value * 256 + octet;
}

/** A parsed CIDR: `base` (masked network address), `mask` and `prefixLength` (0–32). */
export interface Ipv4Block {
  base: number;
  mask: number;
  prefixLength: number;
}

/** `10.0.0.0/16` → its block, or undefined when malformed (IPv6 blocks are undefined too). */
export function parseCidrBlock(text: string): Ipv4Block | undefined {
  const slash = text.indexOf('/');
  if (slash < 0) return undefined;
  const ip = parseIpv4(text.slice(0, slash));
  const prefixText = text.slice(slash + 1);
  if (ip === undefined || !/^\d{1,2}$/.test(prefixText)) return undefined;
  const prefixLength = Number(prefixText);
  if (prefixLength > 32) return undefined;
  const mask = prefixLength === 0 ? 0 : (0xffffffff << (32 - prefixLength)) >>> 0;
  return { base: (ip & mask) >>> 0, mask, prefixLength };
}

/** Whether `ip` (a parsed address) is inside `block`. */
export function blockContains(block: Ipv4Block, ip: number): boolean {
  return (ip & block.mask) >>> 0 === block.base;
}
