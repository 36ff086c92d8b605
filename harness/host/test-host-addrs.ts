// The private addresses the test hosts get: a /30 in 10.251.0.0/16 (RFC 1918) and a /64 in a ULA
// prefix (RFC 4193, fd69:7063:7370::/48, "ipcsp"), chosen so that neither overlaps any address or
// route of this host: a test host's address can never be mistaken for a real one.
import { execFileSync } from 'node:child_process';
import { ipv6Bytes } from './libc-net.mjs';

export interface Subnets {
  inet: { a: string; b: string; prefix: number };
  inet6: { a: string; b: string; prefix: number };
}

type Prefix = { bits: bigint; len: number; width: 32 | 128 };

const v4 = (text: string): bigint => text.split('.').reduce((n, x) => (n << 8n) | BigInt(Number(x)), 0n);
const v6 = (text: string): bigint => ipv6Bytes(text).reduce((n, x) => (n << 8n) | BigInt(x), 0n);

function parse(cidr: string, width: 32 | 128): Prefix {
  const [addr, len] = cidr.split('/');
  return { bits: width === 32 ? v4(addr) : v6(addr), len: len === undefined ? width : Number(len), width };
}

/** Two prefixes overlap when they agree on the bits of the shorter one. */
function overlaps(x: Prefix, y: Prefix): boolean {
  const len = BigInt(Math.min(x.len, y.len));
  const shift = BigInt(x.width) - len;
  return x.bits >> shift === y.bits >> shift;
}

/** Every address prefix and route of this host (in the namespace this process runs in). */
function hostPrefixes(family: '-4' | '-6'): Prefix[] {
  const width = family === '-4' ? 32 : 128;
  const json = (args: string[]) => JSON.parse(execFileSync('ip', ['-j', family, ...args], { encoding: 'utf8' }) || '[]') as unknown[];
  const out: Prefix[] = [];
  for (const link of json(['address']) as Array<{ addr_info?: Array<{ local: string; prefixlen: number }> }>) {
    for (const a of link.addr_info ?? []) out.push(parse(`${a.local.split('%')[0]}/${a.prefixlen}`, width));
  }
  for (const r of json(['route']) as Array<{ dst: string }>) if (r.dst && r.dst !== 'default') out.push(parse(r.dst, width));
  return out;
}

/** The first free pair of subnets, starting from `seed` (the pid: concurrent runs tend to differ). */
export function pickSubnets(seed: number): Subnets {
  const used4 = hostPrefixes('-4');
  const used6 = hostPrefixes('-6');
  for (let k = 0; k < 256; k++) {
    const n = (seed + k) % 256;
    const net4 = parse(`10.251.${n}.0/30`, 32);
    const net6 = parse(`fd69:7063:7370:${n.toString(16)}::/64`, 128);
    if (used4.some((p) => overlaps(p, net4)) || used6.some((p) => overlaps(p, net6))) continue;
    return {
      inet: { a: `10.251.${n}.1`, b: `10.251.${n}.2`, prefix: 30 },
      inet6: { a: `fd69:7063:7370:${n.toString(16)}::1`, b: `fd69:7063:7370:${n.toString(16)}::2`, prefix: 64 },
    };
  }
  throw new Error('every candidate subnet (10.251.N.0/30, fd69:7063:7370:N::/64) overlaps an address or route of this host');
}
