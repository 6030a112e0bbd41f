/** IPv4 address and CIDR arithmetic for the lab's network world (IPv4 only, like the scenarios). */

export interface Ipv4Cidr {
  /** Network address as an unsigned 32-bit number. */
  base: number;
  prefixLength: number;
}

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

export function formatIpv4(value: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join('.');
}

export function isIpv4(text: string): boolean {
  return parseIpv4(text) !== undefined;
}

function maskOf(prefixLength: number): number {
  return prefixLength === 0 ? 0 : (0xffffffff << (32 - prefixLength)) >>> 0;
}

export function parseCidr(text: string): Ipv4Cidr | undefined {
  const [address, prefix, extra] = text.split('/');
  if (address === undefined || prefix === undefined || extra !== undefined || !/^\d{1,2}$/.test(prefix))
    return undefined;
  const ip = parseIpv4(address);
  const prefixLength = Number(prefix);
  if (ip === undefined || prefixLength > 32) return undefined;
  return { base: (ip & maskOf(prefixLength)) >>> 0, prefixLength };
}

export function isCidr(text: string): boolean {
  return parseCidr(text) !== undefined;
}

export function cidrContainsIp(cidr: string, ip: string): boolean {
  const block = parseCidr(cidr);
  const address = parseIpv4(ip);
  if (!block || address === undefined) return false;
  return (address & maskOf(block.prefixLength)) >>> 0 === block.base;
}

/** True when `inner` lies completely inside `outer`. */
export function cidrWithin(inner: string, outer: string): boolean {
  const a = parseCidr(inner);
  const b = parseCidr(outer);
  return !!a && !!b && a.prefixLength >= b.prefixLength && cidrContainsIp(outer, formatIpv4(a.base));
}

export function cidrPrefixLength(cidr: string): number {
  return parseCidr(cidr)?.prefixLength ?? -1;
}

export function cidrSize(cidr: string): number {
  const block = parseCidr(cidr);
  return block ? 2 ** (32 - block.prefixLength) : 0;
}

/** The address `offset` positions into the block (offset 0 = network address). */
export function cidrHost(cidr: string, offset: number): string {
  const block = parseCidr(cidr);
  if (!block) throw new Error(`not an IPv4 CIDR: ${cidr}`);
  return formatIpv4(block.base + offset);
}

export function ipOffsetInCidr(cidr: string, ip: string): number {
  const block = parseCidr(cidr);
  const address = parseIpv4(ip);
  if (!block || address === undefined) return -1;
  return address - block.base;
}
