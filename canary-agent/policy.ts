/**
 * The probe agent's allow-list (docs/canaries.md#agent): the only destinations it will touch. Entries are
 * `name`, `name:port`, `*.suffix`, an IPv4 address, `address:port` or an IPv4 CIDR. A name is allowed to
 * resolve to a public address, or to an address some IP/CIDR entry covers; a DNS answer pointing into
 * private, loopback, link-local (instance metadata) or other special ranges is refused unless listed.
 */
import { inCidr } from '../shared/domain/canary.js';

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

/** Address ranges a name may not resolve into unless the allow-list names them (RFC 6890 special use). */
const SPECIAL_RANGES = [
  '0.0.0.0/8',
  '10.0.0.0/8',
  '100.64.0.0/10',
  '127.0.0.0/8',
  '169.254.0.0/16',
  '172.16.0.0/12',
  '192.0.0.0/24',
  '192.168.0.0/16',
  '198.18.0.0/15',
  '224.0.0.0/4',
  '240.0.0.0/4',
];

interface Entry {
  kind: 'name' | 'suffix' | 'ip' | 'cidr';
  value: string;
  port: number | null;
}

/** Thrown when a plan, a redirect or a DNS answer leaves the allow-list; the agent answers 403 with it. */
export class PolicyViolation extends Error {
  override name = 'PolicyViolation';
}

/** A parsed allow-list. @throws Error on an entry it cannot read (at start-up, never per request). */
export class AllowList {
  private readonly entries: Entry[];

  constructor(raw: readonly string[]) {
    this.entries = raw.map(parseEntry);
  }

  get size(): number {
    return this.entries.length;
  }

  /** May the agent open a connection (or look up a name) to `host` on `port` (null: any port, DNS only)? */
  allowsDestination(host: string, port: number | null): boolean {
    const h = host.toLowerCase().replace(/\.$/, '');
    return this.entries.some((e) => {
      if (e.port !== null && port !== null && e.port !== port) return false;
      if (e.port !== null && port === null) return e.kind === 'name' && e.value === h;
      switch (e.kind) {
        case 'name':
          return e.value === h;
        case 'suffix':
          return h.endsWith(`.${e.value}`);
        case 'ip':
          return e.value === h;
        default:
          return IPV4.test(h) && inCidr(h, e.value);
      }
    });
  }

  /** May a name on the allow-list resolve to `address` (see the module comment)? */
  allowsResolvedAddress(address: string): boolean {
    if (!IPV4.test(address)) return false;
    if (
      this.entries.some(
        (e) => (e.kind === 'ip' && e.value === address) || (e.kind === 'cidr' && inCidr(address, e.value)),
      )
    )
      return true;
    return !SPECIAL_RANGES.some((range) => inCidr(address, range));
  }
}

function parseEntry(raw: string): Entry {
  const text = raw.trim().toLowerCase();
  if (text.includes('/')) {
    const [ip, bits] = text.split('/');
    if (!ip || !IPV4.test(ip) || !bits || !/^\d+$/.test(bits) || Number(bits) > 32)
      throw new Error(`allow-list entry "${raw}" is not an IPv4 CIDR`);
    return { kind: 'cidr', value: text, port: null };
  }
  const colon = text.lastIndexOf(':');
  const host = colon >= 0 ? text.slice(0, colon) : text;
  const port = colon >= 0 ? Number(text.slice(colon + 1)) : null;
  if (port !== null && !(Number.isInteger(port) && port >= 1 && port <= 65_535))
    throw new Error(`allow-list entry "${raw}" has a bad port`);
  if (IPV4.test(host)) return { kind: 'ip', value: host, port };
  if (host.startsWith('*.') && /^[a-z0-9.-]+$/.test(host.slice(2)))
    return { kind: 'suffix', value: host.slice(2), port };
  if (/^[a-z0-9.-]+$/.test(host) && host.length > 0) return { kind: 'name', value: host, port };
  throw new Error(`allow-list entry "${raw}" is not a name, address or CIDR`);
}
