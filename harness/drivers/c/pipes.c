#ifndef IPCSPEC_DRIVER_H /* the one-file form (amalgamate.sh) has the header above */
#include "ipcspec-driver.h"
#endif
/* Pipes and FIFOs: make-pipe in every variant, reads and writes (on the actor's thread when they may block),
 * FIFO opens, poll, stat, and concurrent writers; the op_ functions the op table (ops.c) runs are at the end. */

int may_block(int fd) { int fl = fcntl(fd, F_GETFL); return fl >= 0 && !(fl & O_NONBLOCK); }

int cloexec_pipe(int fds[2], int nonblock) {
#if IPCSPEC_LINUX
  return pipe2(fds, O_CLOEXEC | (nonblock ? O_NONBLOCK : 0));
#else
  if (pipe(fds)) return -1;
  for (int k = 0; k < 2; k++) {
    fcntl(fds[k], F_SETFD, FD_CLOEXEC);
    if (nonblock) fcntl(fds[k], F_SETFL, fcntl(fds[k], F_GETFL) | O_NONBLOCK);
  }
  return 0;
#endif
}

static void *open_reader(void *p) { long fd = open((char *)p, O_RDONLY | O_CLOEXEC); return (void *)fd; }

void op_make_pipe(int step, J *c, J *data) {
  (void)data;
  const char *v = js(c, "variant");
  int nb = strstr(v, "nonblock") != NULL, fds[2];
  if (strncmp(v, "fifo", 4)) {
    if (cloexec_pipe(fds, nb)) { outcome_sys(-1, errno); return; }
  } else {
    char path[1100], name[64];
    snprintf(name, sizeof name, ".pipe-%d", step);
    path_of(name, path, sizeof path);
    if (mkfifo(path, 0600)) { outcome_sys(-1, errno); return; }
    if (nb) {
      if ((fds[0] = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)) < 0) { int e = errno; unlink(path); { outcome_sys(-1, e); return; } }
      fds[1] = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
    } else {
      /* Both opens blocking, as a program would: the reader's open on a thread, the writer's here; they meet. */
      pthread_t t;
      void *r;
      if (pthread_create(&t, NULL, open_reader, path)) die("pthread_create failed");
      fds[1] = open(path, O_WRONLY | O_CLOEXEC);
      int e = errno;
      if (fds[1] < 0) { int x = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC); pthread_join(t, &r); if ((long)r >= 0) close((int)(long)r); if (x >= 0) close(x); errno = e; }
      else { pthread_join(t, &r); fds[0] = (int)(long)r; }
    }
    int e = errno;
    unlink(path);
    if (fds[1] < 0) { if (nb) close(fds[0]); { outcome_sys(-1, e); return; } }
    if (fds[0] < 0) { close(fds[1]); { outcome_sys(-1, e); return; } }
  }
  bind_(js(c, "read"), fds[0]);
  bind_(js(c, "write"), fds[1]);
  outcome_sys(0, 0);
}

/* Set up an I/O call (data and sizes) on an actor, then run it there or inline. */
static void io(int step, J *c, J *data, int op) {
  Actor tmp, *a = &tmp;
  int fd = fd_of(js(c, "fd"));
  int blocking = may_block(fd);
  if (blocking) a = actor(js(c, "actor"));
  memset(a->sizes, 0, sizeof a->sizes);
  a->fd = fd;
  a->op = op;
  a->nparts = 0;
  size_t total = 0;
  if (op == OP_READV || op == OP_WRITEV) {
    J *s = jget(c, "sizes");
    for (size_t k = 0; s && k < s->len && k < 64; k++) total += a->sizes[a->nparts++] = (size_t)s->vals[k]->n;
  } else total = (size_t)jnum(c, "size");
  a->size = total;
  if (op == OP_WRITE || op == OP_WRITEV) {
    size_t n = 0;
    a->data = b64decode(data ? js(data, "$base64") : "", &n);
    if (n != total) die("bad request: step %d carries %zu bytes for a %zu-byte write", step, n, total);
  } else a->data = xmalloc(total);
  if (blocking) {
    long nr = op == OP_READ ? NR(read) : op == OP_READV ? NR(readv) : op == OP_WRITE ? NR(write) : NR(writev);
    start(a, step, op, nr, nr);
    { puts_("{\"kind\":\"pending\"}"); return; }
  }
  struct iovec iov[64];
  size_t off = 0;
  for (int k = 0; k < a->nparts; k++) { iov[k].iov_base = a->data + off; iov[k].iov_len = a->sizes[k]; off += a->sizes[k]; }
  long v = op == OP_READ ? read(fd, a->data, total) : op == OP_READV ? readv(fd, iov, a->nparts)
         : op == OP_WRITE ? write(fd, a->data, total) : writev(fd, iov, a->nparts);
  a->value = v;
  a->err = errno;
  finish_actor_outcome(a);
}

void op_open(int step, J *c, J *data) {
  (void)data;
  char path[1100];
  int flags = (strcmp(js(c, "mode"), "read") ? O_WRONLY : O_RDONLY) | O_CLOEXEC | (jnum(c, "nonblock") ? O_NONBLOCK : 0);
  path_of(js(c, "path"), path, sizeof path);
  if (flags & O_NONBLOCK) {
    int fd = open(path, flags, 0600), e = errno;
    if (fd >= 0) bind_(js(c, "as"), fd);
    { outcome_sys(fd, e); return; }
  }
  Actor *a = actor(js(c, "actor"));
  snprintf(a->path, sizeof a->path, "%s", path);
  snprintf(a->as, sizeof a->as, "%s", js(c, "as"));
  a->flags = flags;
  a->data = NULL;
  start(a, step, OP_OPEN, NR(openat), NR(open));
  puts_("{\"kind\":\"pending\"}");
}

static void poll_step(int fd) {
  struct pollfd p = { fd, POLLIN | POLLOUT, 0 };
  int r;
  while ((r = poll(&p, 1, 0)) < 0 && errno == EINTR) {}
  if (r < 0) { outcome_sys(-1, errno); return; }
  ok_head(r);
  puts_(",\"detail\":{\"revents\":[");
  const char *names[] = { "POLLIN", "POLLOUT", "POLLERR", "POLLHUP", "POLLNVAL" };
  const short bits[] = { POLLIN, POLLOUT, POLLERR, POLLHUP, POLLNVAL };
  for (int k = 0, first = 1; k < 5; k++) if (p.revents & bits[k]) { if (!first) puts_(","); putstr(names[k]); first = 0; }
  puts_("]}}");
}

static void stat_step(const char *path) {
  struct stat st;
  if (lstat(path, &st)) { outcome_sys(-1, errno); return; }
  const char *t = S_ISFIFO(st.st_mode) ? "fifo" : S_ISREG(st.st_mode) ? "file" : S_ISDIR(st.st_mode) ? "directory" : "other";
  ok_head(0);
  puts_(",\"detail\":{\"type\":");
  putstr(t);
  putf(",\"size\":%lld}}", (long long)st.st_size);
}

/* ---- concurrent writes: real threads each write their records; one drains the read end ---- */

typedef struct { int fd; unsigned char *recs; size_t size, count; long value; int err; } Writer;

static void *writer_main(void *p) {
  Writer *w = p;
  w->value = (long)w->count;
  for (size_t q = 0; q < w->count; q++) {
    ssize_t r = write(w->fd, w->recs + q * w->size, w->size);
    if (r < 0) { w->value = -1; w->err = errno; break; }
    if ((size_t)r < w->size) { w->value = -1; w->err = -1; break; } /* a short write: reported as SHORT_WRITE */
  }
  return NULL;
}

void op_concurrent_writes(int step, J *c, J *data) {
  (void)step;
  int fd = fd_of(js(c, "fd")), rfd = fd_of(js(c, "reader"));
  size_t writers = (size_t)jnum(c, "writers"), records = (size_t)jnum(c, "records"), size = (size_t)jnum(c, "size"), n;
  unsigned char *all = b64decode(data ? js(data, "$base64") : "", &n);
  size_t total = writers * records * size;
  if (n != total || writers > 16) die("bad request: concurrent-writes carries %zu bytes, expected %zu", n, total);
  Writer w[16];
  pthread_t t[16];
  for (size_t k = 0; k < writers; k++) {
    w[k] = (Writer){ fd, all + k * records * size, size, records, 0, 0 };
    if (pthread_create(&t[k], NULL, writer_main, &w[k])) die("pthread_create failed");
  }
  unsigned char *got = xmalloc(total);
  size_t have = 0;
  long v = 0;
  int err = 0;
  while (have < total) {
    ssize_t r = read(rfd, got + have, total - have < 65536 ? total - have : 65536);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) { v = -1; err = errno; break; }
    if (r == 0) break;
    have += (size_t)r;
  }
  for (size_t k = 0; k < writers; k++) pthread_join(t[k], NULL);
  for (size_t k = 0; k < writers && v >= 0; k++) if (w[k].value < 0) { v = -1; err = w[k].err; }
  if (v < 0 && err == -1) puts_("{\"kind\":\"err\",\"errno\":\"SHORT_WRITE\"}");
  else if (v < 0) outcome_sys(-1, err);
  else { ok_head((long)have); puts_(",\"detail\":{\"records\":"); putb64(got, have); puts_("}}"); }
  free(all);
  free(got);
}

/* ---- the other pipe and FIFO ops ---- */

/* A read takes no bytes from the request: as before the op table, it is handed none. */
void op_read(int step, J *c, J *data) { (void)data; io(step, c, NULL, OP_READ); }
void op_readv(int step, J *c, J *data) { (void)data; io(step, c, NULL, OP_READV); }
void op_write(int step, J *c, J *data) { io(step, c, data, OP_WRITE); }
void op_writev(int step, J *c, J *data) { io(step, c, data, OP_WRITEV); }

void op_dup(int step, J *c, J *data) {
  (void)step; (void)data;
  int fd = fcntl(fd_of(js(c, "fd")), F_DUPFD_CLOEXEC, 0);
  int e = errno;
  if (fd >= 0) bind_(js(c, "as"), fd);
  outcome_sys(fd, e);
}

void op_set_nonblock(int step, J *c, J *data) {
  (void)step; (void)data;
  int fd = fd_of(js(c, "fd")), fl = fcntl(fd, F_GETFL);
  if (fl < 0) outcome_sys(-1, errno);
  else RESULT(fcntl(fd, F_SETFL, jnum(c, "on") ? fl | O_NONBLOCK : fl & ~O_NONBLOCK));
}

void op_poll(int step, J *c, J *data) { (void)step; (void)data; poll_step(fd_of(js(c, "fd"))); }

#if IPCSPEC_LINUX && defined(F_GETPIPE_SZ)
void op_get_pipe_size(int step, J *c, J *data) { (void)step; (void)data; RESULT(fcntl(fd_of(js(c, "fd")), F_GETPIPE_SZ)); }
void op_set_pipe_size(int step, J *c, J *data) { (void)step; (void)data; RESULT(fcntl(fd_of(js(c, "fd")), F_SETPIPE_SZ, (int)jnum(c, "size"))); }
#endif

void op_mkfifo(int step, J *c, J *data) {
  (void)data;
  char path[1100];
  int r = mkfifo(path_of(js(c, "path"), path, sizeof path), 0600), e = errno;
  if (!r) { char keep[1100], name[64]; snprintf(name, sizeof name, ".keep-%d", step); link(path, path_of(name, keep, sizeof keep)); }
  outcome_sys(r, e);
}

void op_unlink(int step, J *c, J *data) {
  (void)step; (void)data;
  char path[1100];
  RESULT(unlink(path_of(js(c, "path"), path, sizeof path)));
}

void op_stat(int step, J *c, J *data) {
  (void)step; (void)data;
  char path[1100];
  stat_step(path_of(js(c, "path"), path, sizeof path));
}
