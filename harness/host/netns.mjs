// Network namespace calls through koffi (types in netns.d.mts). A socket belongs to the network
// namespace of the thread that created it, so the harness enters a test host's namespace on this
// thread just around socket(), and leaves it at once (setns is per thread on Linux).
import koffi from 'koffi';
import { closeSync, fstatSync, openSync } from 'node:fs';
import { errnoName, sys } from './libc.mjs';

const lib = koffi.load('libc.so.6');
const CLONE_NEWNET = 0x40000000;
const SIOCGSKNS = 0x894c; // socket ioctl: an fd for the network namespace the socket lives in

const c = {
  setns: lib.func('int setns(int fd, int nstype)'),
  ioctl: lib.func('int ioctl(int, unsigned long, long)'),
};

/** The inode of a namespace file: two namespaces are the same one when their inodes are. */
export const nsInode = (fd) => fstatSync(fd).ino;

/**
 * Run `fn` with this thread in the network namespace named by `nsPath` (/var/run/netns/NAME),
 * then return to the namespace the thread was in. Throws if either switch fails: a socket made in
 * the wrong namespace could send test traffic off the machine.
 */
export function inNetns(nsPath, fn) {
  const home = openSync('/proc/thread-self/ns/net', 'r');
  let there;
  try {
    there = openSync(nsPath, 'r');
    if (Number(c.setns(there, CLONE_NEWNET)) < 0) throw new Error(`setns(${nsPath}): ${errnoName(koffi.errno())}`);
    try {
      return fn();
    } finally {
      // Not coming back would leave every later socket of this thread in the test host.
      if (Number(c.setns(home, CLONE_NEWNET)) < 0) {
        process.stderr.write(`ipcspec: setns back to the original network namespace failed (${errnoName(koffi.errno())}); exiting\n`);
        process.exit(70);
      }
    }
  } finally {
    if (there !== undefined) closeSync(there);
    closeSync(home);
  }
}

/** The inode of the network namespace socket `fd` lives in (SIOCGSKNS), or an errno name. */
export function socketNetns(fd) {
  const r = Number(c.ioctl(fd, SIOCGSKNS, 0));
  if (r < 0) return { errno: errnoName(koffi.errno()) };
  try {
    return { ino: nsInode(r) };
  } finally {
    sys.close(r); // not fs.closeSync: node did not open it
  }
}

/** Why this thread's network namespace file cannot be opened (no /proc; proot cannot open /proc/PID/ns/*), if it cannot. */
export function whyNoNetnsFile() {
  try {
    closeSync(openSync('/proc/thread-self/ns/net', 'r'));
    return undefined;
  } catch (e) {
    return e.code ?? e.message;
  }
}

/** The inode of this thread's network namespace. */
export function threadNetns() {
  const fd = openSync('/proc/thread-self/ns/net', 'r');
  try {
    return nsInode(fd);
  } finally {
    closeSync(fd);
  }
}
