import { BOTH, LINUX_ONLY, type ClauseSpec } from '../clause.ts';

const OPEN = 'POSIX.1-2024 XSH open(), "When opening a FIFO with O_RDONLY or O_WRONLY set"';

export const FIFO_CLAUSES = [
  {
    id: 'fifo.mkfifo-creates-fifo', area: 'fifo-namespace', profiles: BOTH,
    title: 'mkfifo creates a file of type FIFO.',
    behaviour: 'After mkfifo(path) returns 0, stat(path) reports S_IFIFO.',
    citation: { posix: 'XSH mkfifo(): "shall create a new FIFO special file named by the pathname"' },
  },
  {
    id: 'fifo.mkfifo-eexist', area: 'fifo-namespace', profiles: BOTH,
    title: 'mkfifo on an existing path fails with EEXIST.',
    behaviour: 'A second mkfifo on the same path (or on any existing file) returns -1/EEXIST and leaves the existing file alone.',
    citation: { posix: 'XSH mkfifo() [EEXIST] "The named file already exists."' },
  },
  {
    id: 'fifo.mkfifo-enoent', area: 'fifo-namespace', profiles: BOTH,
    title: 'mkfifo in a missing directory fails with ENOENT.',
    behaviour: 'mkfifo("missing/f") returns -1/ENOENT when the directory does not exist.',
    citation: { posix: 'XSH mkfifo() [ENOENT] "A component of the path prefix ... does not name an existing file"' },
  },
  {
    id: 'fifo.open-blocks-until-partner', area: 'fifo-open', profiles: BOTH,
    title: 'A blocking open of a FIFO waits for the other side: readers for a writer, writers for a reader.',
    behaviour: 'open(O_RDONLY) blocks until a writer opens, and open(O_WRONLY) blocks until a reader opens; the partner\'s open releases it.',
    citation: { posix: OPEN + ': "If O_NONBLOCK is clear, an open() for reading-only shall block the calling thread until a thread opens the file for writing. An open() for writing-only shall block the calling thread until a thread opens the file for reading."' },
  },
  {
    id: 'fifo.nonblocking-read-open-succeeds', area: 'fifo-open', profiles: BOTH,
    title: 'open(O_RDONLY|O_NONBLOCK) of a FIFO succeeds at once.',
    behaviour: 'Opening for reading with O_NONBLOCK returns a descriptor without waiting for a writer.',
    citation: { posix: OPEN + ': "An open() for reading-only shall return without delay."' },
  },
  {
    id: 'fifo.nonblocking-write-open-enxio', area: 'fifo-open', profiles: BOTH,
    title: 'open(O_WRONLY|O_NONBLOCK) of a FIFO with no reader fails with ENXIO.',
    behaviour: 'With no descriptor open for reading, a nonblocking open for writing fails with ENXIO; with a reader (even one blocked in open) it succeeds.',
    citation: { posix: OPEN + ': "An open() for writing-only shall return an error if no thread currently has the file open for reading." [ENXIO]' },
  },
  {
    id: 'fifo.data-not-in-file', area: 'fifo-namespace', profiles: BOTH,
    title: 'Data written to a FIFO lives in the kernel and never reaches the file: st_size stays 0.',
    behaviour: 'Whatever is written and buffered, stat(path).st_size of a FIFO is 0 on linux (posix leaves st_size of a FIFO unspecified). Under both, the data is not kept: when every end is closed, what remains is discarded and a later open never reads it.',
    citation: { posix: 'XSH close(): "When all file descriptors associated with a pipe or FIFO special file are closed, any data remaining in the pipe or FIFO shall be discarded."; XSH <sys/stat.h> st_size unspecified for FIFOs', linux: 'measured: st_size 0' },
  },
  {
    id: 'fifo.unlink-keeps-open-ends', area: 'fifo-namespace', profiles: BOTH,
    title: 'After unlink, open ends of a FIFO keep working.',
    behaviour: 'Unlinking the path removes the name only: descriptors already open still transfer data and see EOF as before.',
    citation: { posix: 'XSH unlink(): "If one or more processes have the file open when the last link is removed ... removal of the file contents shall be postponed until all references to the file are closed."' },
  },
  {
    id: 'fifo.recreate-is-independent', area: 'fifo-namespace', profiles: BOTH,
    title: 'A new mkfifo on an unlinked path makes a new, independent FIFO.',
    behaviour: 'Ends opened on the new FIFO share nothing with ends still open on the old one: no data, no EOF, no wakeups cross.',
    citation: { posix: 'XSH mkfifo(), unlink()' },
  },
  {
    id: 'fifo.eof-after-all-writers', area: 'fifo-open', profiles: BOTH,
    title: 'With several readers and writers on a FIFO, EOF comes only when every writer has closed.',
    behaviour: 'Each open for writing adds a writer; reads return 0 only after all of them close, and the data of all writers arrives in one stream.',
    citation: { posix: 'XSH read(): "If no process has the pipe open for writing, read() shall return 0"' },
  },
  {
    id: 'fifo.read-before-any-writer', area: 'fifo-open', profiles: LINUX_ONLY,
    title: 'A nonblocking read of a FIFO that never had a writer returns 0, and poll does not report POLLHUP for it.',
    behaviour: 'On linux (measured) read returns 0 (EOF) at once; POLLHUP is reported only after a writer has opened and closed since this reader opened.',
    citation: { posix: 'XSH read() returns 0 with no writer; POLLHUP for this case is not specified', linux: 'fs/pipe.c pipe_poll: POLLHUP only if w_counter changed since open; measured in profile linux' },
  },
] as const satisfies readonly ClauseSpec[];
