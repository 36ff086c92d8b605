export type Sys = { value: number; errno?: undefined } | { value: -1; errno: string };
export declare const O: { RDONLY: number; WRONLY: number; RDWR: number; NONBLOCK: number; CLOEXEC: number };
export declare const F: { DUPFD_CLOEXEC: number; GETFL: number; SETFL: number; SETPIPE_SZ: number; GETPIPE_SZ: number };
export declare const POLL: { readonly IN: 1; readonly OUT: 4; readonly ERR: 8; readonly HUP: 16; readonly NVAL: 32 };
export declare function errnoName(n: number): string;
export declare const sys: {
  pipe2(flags: number): { fds?: [number, number]; errno?: string };
  read(fd: number, n: number): Sys & { data?: Uint8Array };
  write(fd: number, data: Uint8Array): Sys;
  readv(fd: number, sizes: number[]): Sys & { data?: Uint8Array };
  writev(fd: number, parts: Uint8Array[]): Sys;
  close(fd: number): Sys;
  fcntl(fd: number, cmd: number, arg?: number): Sys;
  poll(fd: number, events: number): Sys & { revents?: number };
  mkfifo(path: string, mode?: number): Sys;
  open(path: string, flags: number, mode?: number): Sys;
  unlink(path: string): Sys;
  link(from: string, to: string): Sys;
  gettid(): number;
  blockAllSignals(): Sys;
};
/** _exit(2): ends the process without joining threads. */
export declare const hardExit: (status: number) => void;
