import { BOTH, LINUX_ONLY, type ClauseSpec } from '../clause.ts';

const READ = 'POSIX.1-2024 XSH read()';
const WRITE = 'POSIX.1-2024 XSH write(), "Write requests to a pipe or FIFO"';

export const PIPE_CLAUSES = [
  {
    id: 'pipe.order-and-content', area: 'pipe-data', profiles: BOTH,
    title: 'Bytes come out of a pipe in the order they went in, with no loss or duplication.',
    behaviour: 'The concatenation of all data read equals a prefix of the concatenation of all data written, across any mix of write, writev, read and readv sizes.',
    citation: { posix: 'XSH pipe(): "data can be read ... in the order written"; ' + WRITE, man: 'pipe(7)' },
  },
  {
    id: 'pipe.no-message-boundaries', area: 'pipe-data', profiles: BOTH,
    title: 'A read returns all available bytes up to its size, regardless of how they were written.',
    behaviour: 'A read that does not block returns min(size, bytes available): reads combine and split writes. (A read completing after it blocked may return any non-empty prefix, since more data can arrive while it wakes.)',
    citation: { posix: READ + ': "less than nbyte ... if the file is a pipe or FIFO ... and has fewer than nbyte bytes immediately available"', man: 'pipe(7) "I/O on pipes and FIFOs"' },
  },
  {
    id: 'pipe.read-blocks-while-writer-open', area: 'pipe-blocking', profiles: BOTH,
    title: 'A blocking read of an empty pipe waits while a write end is open.',
    behaviour: 'With O_NONBLOCK clear, a read of an empty pipe with a writer blocks until data arrives or the last writer closes.',
    citation: { posix: READ + ': "If O_NONBLOCK is clear, read() shall block the calling thread until some data is written or the pipe is closed by all processes that had the pipe open for writing."' },
  },
  {
    id: 'pipe.nonblocking-read-eagain', area: 'pipe-blocking', profiles: BOTH,
    title: 'A nonblocking read of an empty pipe with a writer fails with EAGAIN.',
    behaviour: 'With O_NONBLOCK set, a read of an empty pipe that still has a writer returns -1/EAGAIN at once.',
    citation: { posix: READ + ': "If O_NONBLOCK is set, read() shall return -1 and set errno to [EAGAIN]."' },
  },
  {
    id: 'pipe.eof-after-last-writer', area: 'pipe-blocking', profiles: BOTH,
    title: 'Once every write end is closed, buffered data comes first and then EOF (0).',
    behaviour: 'With no writer open, reads drain the buffer and then return 0, blocking or not.',
    citation: { posix: READ + ': "If no process has the pipe open for writing, read() shall return 0 to indicate end-of-file."' },
  },
  {
    id: 'pipe.last-writer-close-wakes-readers', area: 'pipe-blocking', profiles: BOTH,
    title: 'Closing the last write end wakes every blocked reader with EOF.',
    behaviour: 'Readers blocked on an empty pipe all return 0 when the last write end closes.',
    citation: { posix: READ + ' (block "until ... the pipe is closed by all processes that had the pipe open for writing")', linux: 'fs/pipe.c pipe_release: wake_up_interruptible_all' },
  },
  {
    id: 'pipe.epipe-when-no-reader', area: 'pipe-no-reader', profiles: BOTH,
    title: 'Writing to a pipe with no read end open fails with EPIPE when SIGPIPE is ignored.',
    behaviour: 'A write (of any non-zero size) when no process has the pipe open for reading returns -1/EPIPE; the signal is ignored so the writer survives.',
    citation: { posix: WRITE + ': "An attempt to write to a pipe or FIFO that is not open for reading by any process ... shall fail with [EPIPE]" and SIGPIPE "shall also be sent to the thread"' },
  },
  {
    id: 'pipe.sigpipe-kills-writer', area: 'pipe-no-reader', profiles: BOTH,
    title: 'With the default SIGPIPE disposition, a process writing to a pipe with no reader is killed by SIGPIPE.',
    behaviour: 'Observed in a real child process: its write to a readerless pipe ends it with signal SIGPIPE. With SIGPIPE ignored the same child sees EPIPE and exits normally.',
    citation: { posix: 'XSH write() [EPIPE]; XBD <signal.h>: SIGPIPE default action T (abnormal termination)' },
  },
  {
    id: 'pipe.full-pipe-blocks-writer', area: 'pipe-capacity', profiles: BOTH,
    title: 'A blocking write that does not fit waits for room.',
    behaviour: 'With O_NONBLOCK clear, a write blocks until all its bytes are transferred; it may transfer a prefix first. Under posix the capacity is unknown (at least PIPE_BUF); under linux it is the slot ring measured in the profile.',
    citation: { posix: WRITE + ': "If the O_NONBLOCK flag is clear, a write request may cause the thread to block, but on normal completion it shall return nbyte."', linux: 'measured: capacity in page slots (see profile linux)' },
  },
  {
    id: 'pipe.nonblocking-write-when-full', area: 'pipe-capacity', profiles: BOTH,
    title: 'A nonblocking write that does not fit gets EAGAIN or a partial write, as the profile allows.',
    behaviour: 'With O_NONBLOCK set, a write larger than PIPE_BUF transfers what fits (at least one byte) or fails with EAGAIN when nothing fits; posix allows either whenever the unknown capacity may be exceeded, linux is exact per its slot accounting. A write already blocked when another thread sets O_NONBLOCK on the shared description returns its partial count at its next wakeup that finds the ring full (linux, measured).',
    citation: { posix: WRITE + ' (O_NONBLOCK set, nbyte > PIPE_BUF)', linux: 'fs/pipe.c pipe_write (O_NONBLOCK re-checked in the wait loop); measured in profile linux' },
  },
  {
    id: 'pipe.read-wakes-blocked-writer', area: 'pipe-capacity', profiles: BOTH,
    title: 'A read that makes room lets a blocked writer continue.',
    behaviour: 'Once reads free enough room, a writer blocked on a full pipe transfers more and eventually returns nbyte; under linux its progress is exact after each read.',
    citation: { posix: WRITE + ' (block until room)', linux: 'fs/pipe.c pipe_read: wake_up on wr_wait when the ring was full' },
  },
  {
    id: 'pipe.capacity-query', area: 'pipe-capacity', profiles: LINUX_ONLY,
    title: 'F_GETPIPE_SZ reports the pipe capacity in bytes.',
    behaviour: 'F_GETPIPE_SZ returns slots x page size: the default capacity, or the last size F_SETPIPE_SZ set. Not in POSIX.',
    citation: { man: 'fcntl(2) "Changing the capacity of a pipe"', linux: 'measured default in profile linux' },
  },
  {
    id: 'pipe.capacity-resize', area: 'pipe-capacity', profiles: LINUX_ONLY,
    title: 'F_SETPIPE_SZ rounds the size up to a power-of-two number of pages and reports errors.',
    behaviour: 'F_SETPIPE_SZ(n) sets max(page, roundup_pow2(n)) bytes and returns it; n above 2^31 (as unsigned int) gives EINVAL; a size smaller than the data held gives EBUSY; above pipe-max-size an unprivileged caller gets EPERM. Not in POSIX.',
    citation: { man: 'fcntl(2) F_SETPIPE_SZ', linux: 'fs/pipe.c round_pipe_size, pipe_set_size, pipe_resize_ring; rounding measured in profile linux' },
  },
  {
    id: 'pipe.atomic-small-writes', area: 'pipe-atomicity', profiles: BOTH,
    title: 'Writes of at most PIPE_BUF bytes are never interleaved with other writers\' data.',
    behaviour: 'With truly concurrent writers, every write of at most PIPE_BUF bytes appears contiguously in the byte stream; larger writes may be split and interleaved. posix uses PIPE_BUF = 512 (the minimum); linux uses the measured value.',
    citation: { posix: WRITE + ': "Write requests of {PIPE_BUF} bytes or less shall not be interleaved with data from other processes doing writes on the same pipe."' },
  },
  {
    id: 'pipe.nonblocking-small-write-all-or-nothing', area: 'pipe-capacity', profiles: BOTH,
    title: 'A nonblocking write of at most PIPE_BUF bytes transfers everything or nothing.',
    behaviour: 'With O_NONBLOCK set and nbyte <= PIPE_BUF, the write returns nbyte if there is room, else -1/EAGAIN; never a partial count.',
    citation: { posix: WRITE + ': "If there is sufficient space available in the pipe, write() shall transfer all the data ... Otherwise, write() shall transfer no data and return -1 with errno set to [EAGAIN]."' },
  },
  {
    id: 'pipe.large-write-may-split', area: 'pipe-capacity', profiles: BOTH,
    title: 'A write larger than PIPE_BUF may be split, but a blocking one still returns nbyte and a nonblocking one with room is not refused.',
    behaviour: 'Blocking: on normal completion the write returns nbyte. Nonblocking, nbyte > PIPE_BUF, room for some data: it transfers what it can and returns that count (not EAGAIN).',
    citation: { posix: WRITE + ': "If the O_NONBLOCK flag is set ... When there is at least 1 byte of space available, write() shall transfer what it can and return the number of bytes written."' },
  },
  {
    id: 'pipe.poll-readiness', area: 'pipe-readiness', profiles: BOTH,
    title: 'poll reports POLLIN, POLLOUT, POLLHUP and POLLERR consistently with the buffer and the open ends.',
    behaviour: 'Read end: POLLIN iff data is buffered, POLLHUP once the last writer has closed. Write end: POLLOUT iff a write of PIPE_BUF would not block (linux: a free slot), POLLERR (linux) when no reader is open. posix leaves POLLIN-at-EOF and POLLERR open.',
    citation: { posix: 'XSH poll(): POLLHUP "a pipe or FIFO has been closed by the last process that had it open for writing"', linux: 'fs/pipe.c pipe_poll' },
  },
  {
    id: 'pipe.zero-length-io', area: 'pipe-fd-errors', profiles: BOTH,
    title: 'Zero-length reads and writes return 0 without blocking.',
    behaviour: 'read(fd, buf, 0) returns 0 at once, even on an empty pipe. write(fd, buf, 0) returns 0 on linux even with no reader; posix leaves the zero-length write to a pipe unspecified beyond not blocking.',
    citation: { posix: READ + ': "Before any action described below is taken, and if nbyte is zero, the read() function may detect and return errors ... In the absence of errors ... return zero and have no other results."', linux: 'fs/pipe.c: "Null read succeeds", "Null write succeeds"' },
  },
  {
    id: 'pipe.wrong-end-ebadf', area: 'pipe-fd-errors', profiles: BOTH,
    title: 'Writing to the read end or reading from the write end fails with EBADF.',
    behaviour: 'The read end is open O_RDONLY and the write end O_WRONLY, so the other operation fails with EBADF and has no effect.',
    citation: { posix: 'XSH read() [EBADF] "not a valid file descriptor open for reading"; write() [EBADF]' },
  },
  {
    id: 'pipe.closed-fd-ebadf', area: 'pipe-fd-errors', profiles: BOTH,
    title: 'Calls on a closed descriptor fail with EBADF.',
    behaviour: 'read, write, close and poll (POLLNVAL) on a descriptor that has been closed fail with EBADF and do not touch the pipe.',
    citation: { posix: 'XSH close(), read(), write() [EBADF]; poll() POLLNVAL' },
  },
  {
    id: 'pipe.dup-shares-end', area: 'pipe-sharing', profiles: BOTH,
    title: 'A duplicated end refers to the same pipe end, and EOF waits for every duplicate to close.',
    behaviour: 'dup gives a second descriptor for the same open file description: data written through either arrives in one stream, O_NONBLOCK is shared, and the pipe sees its writer gone only when all duplicates are closed.',
    citation: { posix: 'XSH dup(): "refer to the same open file description"; XSH close()' },
  },
  {
    id: 'pipe.inherited-by-child', area: 'pipe-sharing', profiles: BOTH,
    title: 'Pipe ends made before spawning are inherited by child processes and connect them to the parent.',
    behaviour: 'A child that inherits the write end writes data the parent reads in order; a child that inherits the read end reads what the parent wrote and sees EOF only when every copy of the write end, in every process, is closed.',
    citation: { posix: 'XSH fork(): "The child process shall have its own copy of the parent\'s file descriptors ... refer to the same open file description"; XSH pipe() rationale' },
  },
] as const satisfies readonly ClauseSpec[];
