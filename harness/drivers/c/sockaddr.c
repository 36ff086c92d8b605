#ifndef IPCSPEC_DRIVER_H /* the one-file form (amalgamate.sh) has the header above */
#include "ipcspec-driver.h"
#endif

/* ---- sockets: addresses, as the vocabulary writes them and as the kernel takes them ---- */


/* SO_DOMAIN where it exists, else the family getsockname reports (an unnamed socket has one too). */
int domain_of(int fd) {
  int d;
  socklen_t l = sizeof d;
#if IPCSPEC_LINUX && defined(SO_DOMAIN)
  if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &d, &l) == 0) return d;
  return -1;
#else
  Addr a;
  l = sizeof a;
  (void)d;
  return getsockname(fd, &a.sa, &l) == 0 ? a.sa.sa_family : -1;
#endif
}
static int type_of(int fd) { int t; socklen_t l = sizeof t; return getsockopt(fd, SOL_SOCKET, SO_TYPE, &t, &l) == 0 ? t : -1; }
int is_dgram(int fd) { return type_of(fd) == SOCK_DGRAM; }
int is_tcp(int fd) { int d = domain_of(fd); return d >= 0 && d != AF_UNIX && type_of(fd) == SOCK_STREAM; }

/* IPv6 text as RFC 5952 writes it (lower case, the longest run of 2+ zero groups as "::"), as the host target does. */
static void ipv6_text(const unsigned char *a, char *text, size_t n) {
  unsigned g[8];
  int at = -1, len = 1;
  for (int i = 0; i < 8; i++) g[i] = (unsigned)a[2 * i] << 8 | a[2 * i + 1];
  for (int i = 0; i < 8;) {
    int j = i;
    while (j < 8 && g[j] == 0) j++;
    if (j - i > len) { at = i; len = j - i; }
    i = j == i ? i + 1 : j;
  }
  size_t k = 0;
  text[0] = 0;
  for (int i = 0; i < 8 && k < n; i++) {
    if (i == at) { k += (size_t)snprintf(text + k, n - k, "::"); i += len - 1; continue; }
    int sep = i > 0 && i != at + len;
    k += (size_t)snprintf(text + k, n - k, "%s%x", sep ? ":" : "", g[i]);
  }
}

/* "unix:PATH" (relative to the scratch dir when inside it; "unix:" unnamed or abstract), "A.B.C.D:PORT", "[V6]:PORT". */
void fmt_addr(const Addr *a, socklen_t len, char *text, size_t n) {
  if (len < sizeof(sa_family_t)) { snprintf(text, n, "unix:"); return; }
  if (a->sa.sa_family == AF_UNIX) {
    char p[sizeof a->raw];
    size_t off = offsetof(struct sockaddr_un, sun_path), k = len > off ? len - off : 0;
    if (k > sizeof a->raw - off) k = sizeof a->raw - off;
    memcpy(p, a->raw + off, k);
    p[k] = 0;
    size_t dl = strlen(dir);
    const char *shown = dl && !strncmp(p, dir, dl) && p[dl] == '/' ? p + dl + 1 : p;
    snprintf(text, n, "unix:%s", shown);
  } else if (a->sa.sa_family == AF_INET) {
    const unsigned char *b = (const unsigned char *)&a->in4.sin_addr;
    snprintf(text, n, "%u.%u.%u.%u:%u", b[0], b[1], b[2], b[3], ntohs(a->in4.sin_port));
  } else if (a->sa.sa_family == AF_INET6) {
    char t[64];
    ipv6_text((const unsigned char *)&a->in6.sin6_addr, t, sizeof t);
    snprintf(text, n, "[%s]:%u", t, ntohs(a->in6.sin6_port));
  } else snprintf(text, n, "family%d", a->sa.sa_family);
}

/* getsockname (peer 0) or getpeername (peer 1) as a string; -1 with errno if the call failed. */
int name_of(int fd, int peer, char *text, size_t n) {
  Addr a;
  socklen_t len = sizeof a;
  memset(&a, 0, sizeof a);
  if ((peer ? getpeername(fd, &a.sa, &len) : getsockname(fd, &a.sa, &len)) < 0) return -1;
  fmt_addr(&a, len, text, n);
  return 0;
}

void put_addr_detail(const Addr *sa, socklen_t len) {
  char s[600];
  fmt_addr(sa, len, s, sizeof s);
  puts_(",\"detail\":{\"addr\":");
  putstr(s);
  puts_("}");
}
void sockname_detail(int fd, int unseen) {
  char s[600];
  int named = name_of(fd, 0, s, sizeof s) == 0;
  if (!named && !unseen) return;
  puts_(",\"detail\":{");
  if (named) { puts_("\"addr\":"); putstr(s); }
  if (unseen) puts_(named ? ",\"arrival\":\"not-seen\"" : "\"arrival\":\"not-seen\"");
  puts_("}");
}
void sockname_of(int fd) { sockname_detail(fd, 0); }

/* An address string as a sockaddr, as the host target encodes it: 1, or -2 for a path longer than sun_path, 0 if unreadable. */
int encode_addr(const char *s, Addr *a, socklen_t *len) {
  memset(a, 0, sizeof *a);
  if (!strncmp(s, "unix:", 5)) {
    char p[1100];
    const char *rel = s + 5;
    if (rel[0] == '/' || !rel[0]) snprintf(p, sizeof p, "%s", rel);
    else path_of(rel, p, sizeof p);
    if (strlen(p) >= sizeof a->un.sun_path) return -2;
    a->un.sun_family = AF_UNIX;
    strcpy(a->un.sun_path, p);
    *len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(p) + 1);
    return 1;
  }
  const char *colon = strrchr(s, ':');
  if (!colon) return 0;
  char host[100];
  unsigned port = (unsigned)atoi(colon + 1);
  if (s[0] == '[') {
    snprintf(host, sizeof host, "%.*s", (int)(colon - s - 2 > 0 ? colon - s - 2 : 0), s + 1);
    a->in6.sin6_family = AF_INET6;
    a->in6.sin6_port = htons((unsigned short)port);
    if (inet_pton(AF_INET6, host, &a->in6.sin6_addr) != 1) return 0;
    *len = sizeof a->in6;
    return 1;
  }
  snprintf(host, sizeof host, "%.*s", (int)(colon - s), s);
  a->in4.sin_family = AF_INET;
  a->in4.sin_port = htons((unsigned short)port);
  if (inet_pton(AF_INET, host, &a->in4.sin_addr) != 1) return 0;
  *len = sizeof a->in4;
  return 1;
}

/*
 * A SockAddr of the vocabulary for socket fd, as a sockaddr. Returns 1 (str holds it as a string), 3 a path of
 * exactly pathLength bytes, 4 an abstract name; 0 not expressible here, -1 the scratch dir is too long for that
 * path length, -2 a path too long for sun_path. {path} is in the scratch dir, {of: H} is what getsockname(H)
 * says ("unix:/nonexistent" if it cannot), {port: 0} the socket's family's loopback.
 */
int sock_addr(J *a, int fd, Addr *ua, socklen_t *len, char *str, size_t n) {
  memset(ua, 0, sizeof *ua);
  str[0] = 0;
  if (!a || jget(a, "host")) return 0;
  if (jget(a, "pathLength")) {
    /* An absolute path of exactly N bytes in the scratch dir, NUL-terminated: "DIR/lenN-xxx". */
    long k = jnum(a, "pathLength");
    size_t off = offsetof(struct sockaddr_un, sun_path);
    char head[600];
    int hl = snprintf(head, sizeof head, "%s/len%ld-", dir, k);
    if (k - hl < 1) return -1;
    if ((size_t)k + 1 + off > sizeof ua->raw) return -2;
    ua->un.sun_family = AF_UNIX;
    memcpy(ua->raw + off, head, (size_t)hl);
    memset(ua->raw + off + hl, 'x', (size_t)(k - hl));
    *len = (socklen_t)(off + (size_t)k + 1);
    return 3;
  }
  if (jget(a, "abstract")) {
#if IPCSPEC_LINUX
    /* A Linux abstract name, unique to the scenario: "\0DIR/NAME"; addrlen counts no terminator. */
    ua->un.sun_family = AF_UNIX;
    int k = snprintf(ua->un.sun_path + 1, sizeof ua->un.sun_path - 1, "%s/%s", dir, js(a, "abstract"));
    *len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + (size_t)k);
    return 4;
#else
    return 0;
#endif
  }
  if (jget(a, "path")) snprintf(str, n, "unix:%s", js(a, "path"));
  else if (jget(a, "of")) { if (name_of(fd_of(js(a, "of")), 0, str, n) < 0) snprintf(str, n, "unix:/nonexistent"); }
  else snprintf(str, n, "%s", domain_of(fd) == AF_INET6 ? "[::1]:0" : "127.0.0.1:0");
  return encode_addr(str, ua, len);
}

/* An address sock_addr could not make: the outcome that says why. Returns 1 if it wrote one. */
int addr_unsupported(int kind) {
  if (kind == 0) unsupported("this address cannot be expressed by ipcspec-driver.c here");
  else if (kind == -1) unsupported("the scratch dir is too long to build a path of that length in it");
  else if (kind == -2) unsupported("a path that long cannot be expressed");
  else return 0;
  return 1;
}

int sock_cloexec(int fd, int nonblock) {
  if (fd < 0) return fd;
  fcntl(fd, F_SETFD, FD_CLOEXEC);
  if (nonblock) fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
  seen_fd(fd);
  return fd;
}

int family_of(const char *f) { return !strcmp(f, "inet") ? AF_INET : !strcmp(f, "inet6") ? AF_INET6 : AF_UNIX; }
