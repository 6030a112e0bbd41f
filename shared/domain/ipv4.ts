/** IPv4 addresses and CIDR blocks as unsigned 32-bit numbers (pure; used by the path analyzer's indexes). */

/** `a.b.c.d` → 0..2^32-1, or undefined when the text is not a dotted-quad IPv4 address. */
export function parseIpv4(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part)) return undefined;
    const octet = Number(part);
    if (octet > 255) return undefined;
    value = value * 256 + octet;
  }
  return value;
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
