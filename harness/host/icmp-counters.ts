// The network namespace's ICMP counters (/proc/net/snmp, /proc/net/snmp6): how the host sees that a
// port unreachable came back to a socket that is told nothing of it.
import { readFileSync } from 'node:fs';
import { AF } from './libc-net.mjs';

/** ICMP (v4) or ICMPv6 destination unreachables received so far in this netns. */
export function icmpUnreachIn(family: number): number {
  if (family === AF.INET6) return Number(/^Icmp6InDestUnreachs\s+(\d+)/m.exec(readFileSync('/proc/net/snmp6', 'utf8'))?.[1] ?? NaN);
  const [keys, vals] = readFileSync('/proc/net/snmp', 'utf8').split('\n').filter((l) => l.startsWith('Icmp:')).map((l) => l.split(/\s+/));
  return Number(vals[keys.indexOf('InDestUnreachs')]);
}
