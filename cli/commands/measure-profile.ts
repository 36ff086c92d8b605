// ipcspec measure-profile: measure the linux profile on this host; --write replaces spec/profiles/linux.json.
import { existsSync, readFileSync } from 'node:fs';
import { writeFileAtomic } from '../../reports/atomic-files.ts';
import type { Profile } from '../../spec/profile.ts';
import { behaviour, formatProfile, LINUX_PROFILE_PATH, measureLinuxProfile } from '../../harness/measure/profile.ts';
import { parseFlags, UsageError, type Command } from '../command.ts';

/** Behavioural fields of `before` that `after` changes, as "path: old -> new". */
function differences(before: unknown, after: unknown, path = ''): string[] {
  if (typeof before === 'object' && before && typeof after === 'object' && after && !Array.isArray(before)) {
    const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
    return [...keys].flatMap((k) => differences((before as Record<string, unknown>)[k], (after as Record<string, unknown>)[k], path ? `${path}.${k}` : k));
  }
  return JSON.stringify(before) === JSON.stringify(after) ? [] : [`${path}: ${JSON.stringify(before)} -> ${JSON.stringify(after)}`];
}

export const command: Command = {
  name: 'measure-profile',
  summary: 'measure pipe, FIFO and socket facts on this Linux host and print (or --write) the linux profile',
  usage: [
    'usage: ipcspec measure-profile [--write]',
    '',
    'Measures, with real syscalls, every number and choice in the linux profile: PIPE_BUF, pipe',
    'capacity and how it is counted, F_SETPIPE_SZ rounding and limits, poll readiness, FIFO facts;',
    'the listen queue, peer close and reset, shutdown, send buffers, datagram queues, truncation,',
    'size limits and refusals, privileged ports and AF_UNIX path limits (a few seconds: it waits for',
    'real SYN retransmissions).',
    'Prints the profile as JSON on stdout.',
    '',
    '  --write   also rewrite spec/profiles/linux.json and list the behavioural fields that changed (on stderr)',
  ].join('\n'),
  async run(argv) {
    const { flags, positional } = parseFlags(argv, [], ['write']);
    if (positional.length) throw new UsageError(`unexpected argument "${positional[0]}"`);
    const profile = measureLinuxProfile();
    const text = formatProfile(profile);
    process.stdout.write(text);
    if (flags.has('write')) {
      const old = existsSync(LINUX_PROFILE_PATH) ? (JSON.parse(readFileSync(LINUX_PROFILE_PATH, 'utf8')) as Profile) : undefined;
      writeFileAtomic(LINUX_PROFILE_PATH, text);
      const changed = old ? differences(behaviour(old), behaviour(profile)) : ['(no previous file)'];
      console.error(`wrote ${LINUX_PROFILE_PATH}`);
      console.error(changed.length ? `behaviour changed:\n  ${changed.join('\n  ')}` : 'behaviour unchanged (provenance refreshed)');
    }
    return 0;
  },
};
