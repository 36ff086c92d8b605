import type { Property } from '../property.ts';
import { DGRAM_PROPERTIES } from './dgram.ts';
import { FIFO_PROPERTIES } from './fifo.ts';
import { PIPE_PROPERTIES } from './pipe.ts';
import { PIPELINE_PROPERTIES } from './process.ts';
import { LISTEN_PROPERTIES } from './listen.ts';
import { SOCKET_ADDR_PROPERTIES } from './socket-addr.ts';
import { STREAM_PROPERTIES } from './stream.ts';
import { SEND_BUFFER_PROPERTIES } from './send-buffer.ts';
import { TWO_HOST_PROPERTIES } from './two-host.ts';

export const PROPERTIES: readonly Property[] = [...PIPE_PROPERTIES, ...PIPELINE_PROPERTIES, ...FIFO_PROPERTIES, ...STREAM_PROPERTIES, ...SOCKET_ADDR_PROPERTIES, ...LISTEN_PROPERTIES, ...DGRAM_PROPERTIES, ...TWO_HOST_PROPERTIES, ...SEND_BUFFER_PROPERTIES];
