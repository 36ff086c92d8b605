import type { Property } from '../property.ts';
import { DGRAM_PROPERTIES } from './dgram.ts';
import { FIFO_PROPERTIES } from './fifo.ts';
import { PIPE_PROPERTIES } from './pipe.ts';
import { PIPELINE_PROPERTIES } from './process.ts';
import { LISTEN_PROPERTIES } from './listen.ts';
import { SOCKET_ADDR_PROPERTIES } from './socket-addr.ts';
import { STREAM_PROPERTIES } from './stream.ts';

export const PROPERTIES: readonly Property[] = [...PIPE_PROPERTIES, ...PIPELINE_PROPERTIES, ...FIFO_PROPERTIES, ...STREAM_PROPERTIES, ...SOCKET_ADDR_PROPERTIES, ...LISTEN_PROPERTIES, ...DGRAM_PROPERTIES];
