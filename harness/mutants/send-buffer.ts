// Mutant of full send buffers of stream sockets.
import type { Mutant } from './mutant.ts';
import { mutant, type Hook } from './kit.ts';

/** send ignores MSG_DONTWAIT: on a blocking socket a send into a full buffer sleeps instead of EAGAIN. */
const dontwaitIgnored = mutant(
  'stream.full-send-buffer',
  'send ignores MSG_DONTWAIT, so a send into a full buffer of a blocking socket blocks instead of failing with EAGAIN or sending part',
  (): Hook => async (c) => (c.step.op === 'send' && c.step.dontwait !== false && !c.step.to ? c.pass({ ...c.step, dontwait: false }) : c.pass()),
  { needsSettledTarget: 'the fault is a send reported blocked: only a proof that it is asleep tells it from a send not returned yet' },
);

export const SEND_BUFFER_MUTANTS = [dontwaitIgnored] as const;
