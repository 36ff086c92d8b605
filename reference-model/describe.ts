// Short human renderings of outcomes for violation messages and reports.
import type { Outcome } from '../spec/trace.ts';

export function showOutcome(o: Outcome): string {
  switch (o.kind) {
    case 'ok': {
      const extra = o.detail?.revents ? ` revents=${o.detail.revents.join('|') || '0'}` : o.data?.length ? ` [${hex(o.data)}]` : '';
      return `${o.value}${extra}`;
    }
    case 'err': return `-1 ${o.errno}`;
    case 'pending': return 'blocked';
    case 'unsupported': return `unsupported (${o.reason})`;
    case 'error': return `harness error (${o.message})`;
  }
}

export function hex(b: Uint8Array, max = 8): string {
  const head = Array.from(b.subarray(0, max), (x) => x.toString(16).padStart(2, '0')).join(' ');
  return b.length > max ? `${head} ... (${b.length} bytes)` : head;
}
