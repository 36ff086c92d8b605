// The names a scenario's `property` may carry: the ids the suites' generators write (test/bad-input-corpus.test.ts
// checks that every generated scenario uses one of these). A replay file naming another is refused.
export const SCENARIO_PROPERTIES = [
  'pipe-data', 'pipe-blocking', 'pipe-no-reader', 'pipe-capacity', 'pipe-size', 'pipe-readiness', 'pipe-fd-errors', 'pipe-sharing', 'pipe-atomicity',
  'pipeline', 'fifo-namespace', 'fifo-open',
  'stream-data', 'stream-peek', 'stream-close', 'stream-shutdown', 'stream-accept', 'stream-buffer',
  'connect-errors', 'bind-errors', 'unix-names', 'privileged-ports', 'listen-backlog', 'listen-retransmit',
  'dgram-data', 'dgram-trunc', 'dgram-zero', 'dgram-delivery', 'dgram-peek', 'dgram-size', 'dgram-source', 'dgram-refused',
  'two-host-stream-data', 'two-host-stream-close', 'two-host-stream-accept', 'two-host-connect', 'two-host-dgram', 'two-host-listen',
] as const;

export const isScenarioProperty = (p: unknown): boolean => typeof p === 'string' && (SCENARIO_PROPERTIES as readonly string[]).includes(p);
