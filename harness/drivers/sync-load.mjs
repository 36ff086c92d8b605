// A module loader hook for the host driver process: module sources are read with a synchronous read.
// Under proot, node's asynchronous file reads (on libuv's thread pool) fail at random with EFAULT, and
// node's ESM loader reads every module that way, so the driver could not even load. Registered before
// tsx (`--import` this, then tsx), it sits below tsx's load hook: tsx transforms what it reads here.
import { register } from 'node:module';

register(new URL('./sync-load-hooks.mjs', import.meta.url));
