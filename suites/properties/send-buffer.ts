// Full send buffers of stream sockets, over every way of making a connection (sendBufferWalk).
import { sendBufferWalk } from '../arbitraries/send-buffer-walk.ts';
import type { Property } from '../property.ts';

export const SEND_BUFFER_PROPERTIES: Property[] = [
  {
    name: 'a full send buffer makes nonblocking sends fail with EAGAIN or send part, and blocking sends wait until the reader makes room',
    area: 'stream-buffer',
    clauses: ['stream.full-send-buffer'],
    scenario: () => sendBufferWalk({ property: 'stream-buffer' }),
    defaultRuns: 60,
  },
];
