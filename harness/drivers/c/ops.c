#ifndef IPCSPEC_DRIVER_H /* the one-file form (amalgamate.sh) has the header above */
#include "ipcspec-driver.h"
#endif
/* The one op table: the hello lists these names in this order, and a step runs the function of its op.
 * Adding an op is a row here and its op_NAME in its area's file (declared in ipcspec-driver.h). */

static const OpEntry OPS[] = {
  { "make-pipe", op_make_pipe, NULL },
  { "read", op_read, NULL },
  { "readv", op_readv, NULL },
  { "write", op_write, NULL },
  { "writev", op_writev, NULL },
  { "close", op_close, NULL },
  { "dup", op_dup, NULL },
  { "set-nonblock", op_set_nonblock, NULL },
  { "poll", op_poll, NULL },
#if IPCSPEC_LINUX && defined(F_GETPIPE_SZ)
  /* Linux's pipe-size fcntls: elsewhere the op is not in the hello, and a step for it is unsupported */
  { "get-pipe-size", op_get_pipe_size, NULL },
  { "set-pipe-size", op_set_pipe_size, NULL },
#endif
  { "mkfifo", op_mkfifo, NULL },
  { "open", op_open, NULL },
  { "unlink", op_unlink, NULL },
  { "stat", op_stat, NULL },
  { "child-write", op_child_write, NULL },
  { "child-read", op_child_read, NULL },
  { "pipeline", op_pipeline, NULL },
  { "concurrent-writes", op_concurrent_writes, NULL },
  { "socketpair", op_socketpair, NULL },
  { "socket", op_socket, NULL },
  { "bind", op_bind, NULL },
  { "listen", op_listen, NULL },
  { "connect", op_connect, NULL },
  { "accept", op_accept, NULL },
  { "send", op_send, NULL },
  { "recv", op_recv, NULL },
  { "shutdown", op_shutdown, NULL },
  { "sockname", op_sockname, NULL },
  { "connect-status", op_connect_status, NULL },
  { "connect-wait", op_connect_wait, NULL },
  { "connect-fill", op_connect_fill, NULL },
  { "set-buffers", op_set_buffers, NULL },
  { "bind-unprivileged", op_bind_unprivileged, bind_unprivileged_lacks }, /* root that cannot drop to uid 65534 */
};
#define NOPS (sizeof OPS / sizeof OPS[0])

static int available(const OpEntry *op) { return !op->lacks || !op->lacks(); }

const OpEntry *find_op(const char *name) {
  for (size_t i = 0; i < NOPS; i++) if (!strcmp(name, OPS[i].name)) return &OPS[i];
  return NULL;
}

/* The hello's "ops":[...], every op it can do here. */
void put_ops(void) {
  puts_("\"ops\":[");
  for (size_t i = 0, first = 1; i < NOPS; i++) {
    if (!available(&OPS[i])) continue;
    if (!first) puts_(",");
    putstr(OPS[i].name);
    first = 0;
  }
  puts_("],");
}

/* The hello's "lacks" entries for ops it cannot do here: ,{"ops":[NAME],"reason":WHY} each. */
void put_op_lacks(void) {
  for (size_t i = 0; i < NOPS; i++) {
    const char *why = OPS[i].lacks ? OPS[i].lacks() : NULL;
    if (!why) continue;
    puts_(",{\"ops\":[");
    putstr(OPS[i].name);
    puts_("],\"reason\":");
    putstr(why);
    puts_("}");
  }
}
