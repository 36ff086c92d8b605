#ifndef IPCSPEC_DRIVER_H /* the one-file form (amalgamate.sh) has the header above */
#include "ipcspec-driver.h"
#endif
/* JSON in and out, and base64: a request is one line, a reply is built in a buffer and written as one line. */

void die(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fputs("ipcspec-driver: ", stderr);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
  exit(2);
}

void *xmalloc(size_t n) {
  void *p = malloc(n ? n : 1);
  if (!p) die("out of memory (%zu bytes)", n);
  return p;
}

/* ---- JSON in: a small tree parser; requests have a fixed, small shape ---- */

const char *jp;

static void ws(void) { while (*jp == ' ' || *jp == '\t' || *jp == '\r' || *jp == '\n') jp++; }

static J *jnew(char t) {
  J *j = xmalloc(sizeof *j);
  memset(j, 0, sizeof *j);
  j->t = t;
  return j;
}

static char *jstr(size_t *len) {
  if (*jp != '"') die("bad request: expected a string at %.20s", jp);
  jp++;
  size_t cap = 16, n = 0;
  char *s = xmalloc(cap);
  for (;;) {
    unsigned c = (unsigned char)*jp++;
    if (!c) die("bad request: unterminated string");
    if (c == '"') break;
    if (c == '\\') {
      c = (unsigned char)*jp++;
      switch (c) {
        case 'n': c = '\n'; break;
        case 't': c = '\t'; break;
        case 'r': c = '\r'; break;
        case 'b': c = '\b'; break;
        case 'f': c = '\f'; break;
        case 'u': {
          unsigned u = 0;
          for (int k = 0; k < 4; k++) {
            char h = *jp++;
            u = u * 16 + (unsigned)(h >= 'a' ? h - 'a' + 10 : h >= 'A' ? h - 'A' + 10 : h - '0');
          }
          if (n + 4 >= cap) s = realloc(s, cap *= 2);
          if (u < 0x80) s[n++] = (char)u;
          else if (u < 0x800) { s[n++] = (char)(0xc0 | u >> 6); s[n++] = (char)(0x80 | (u & 63)); }
          else { s[n++] = (char)(0xe0 | u >> 12); s[n++] = (char)(0x80 | ((u >> 6) & 63)); s[n++] = (char)(0x80 | (u & 63)); }
          continue;
        }
        default: break; /* " \ / */
      }
    }
    if (n + 1 >= cap) s = realloc(s, cap *= 2);
    if (!s) die("out of memory");
    s[n++] = (char)c;
  }
  s[n] = 0;
  *len = n;
  return s;
}

J *jvalue(void) {
  ws();
  J *j;
  if (*jp == '{' || *jp == '[') {
    char close = *jp == '{' ? '}' : ']';
    j = jnew(*jp == '{' ? 'o' : 'a');
    jp++;
    size_t cap = 0;
    ws();
    while (*jp != close) {
      if (j->len == cap) {
        cap = cap ? cap * 2 : 8;
        j->keys = realloc(j->keys, cap * sizeof *j->keys);
        j->vals = realloc(j->vals, cap * sizeof *j->vals);
      }
      j->keys[j->len] = NULL;
      if (j->t == 'o') {
        size_t kl;
        ws();
        j->keys[j->len] = jstr(&kl);
        ws();
        if (*jp++ != ':') die("bad request: expected :");
      }
      j->vals[j->len++] = jvalue();
      ws();
      if (*jp == ',') jp++, ws();
      else if (*jp != close) die("bad request: expected , or %c", close);
    }
    jp++;
  } else if (*jp == '"') {
    j = jnew('s');
    j->s = jstr(&j->len);
  } else if (!strncmp(jp, "true", 4) || !strncmp(jp, "false", 5)) {
    j = jnew('b');
    j->n = *jp == 't';
    jp += *jp == 't' ? 4 : 5;
  } else if (!strncmp(jp, "null", 4)) {
    j = jnew('z');
    jp += 4;
  } else {
    char *end;
    j = jnew('n');
    j->n = strtod(jp, &end);
    if (end == jp) die("bad request: unexpected %.20s", jp);
    jp = end;
  }
  return j;
}

void jfree(J *j) {
  if (!j) return;
  for (size_t i = 0; (j->t == 'o' || j->t == 'a') && i < j->len; i++) { free(j->keys[i]); jfree(j->vals[i]); }
  free(j->keys); free(j->vals); free(j->s); free(j);
}

J *jget(J *o, const char *k) {
  for (size_t i = 0; o && o->t == 'o' && i < o->len; i++) if (!strcmp(o->keys[i], k)) return o->vals[i];
  return NULL;
}
const char *js(J *o, const char *k) { J *v = jget(o, k); return v && v->t == 's' ? v->s : ""; }
long jnum(J *o, const char *k) { J *v = jget(o, k); return v && (v->t == 'n' || v->t == 'b') ? (long)v->n : 0; }

/* ---- JSON out ---- */

typedef struct { char *p; size_t n, cap; } Buf;
static Buf out;

static void put(const char *s, size_t n) {
  if (out.n + n + 1 > out.cap) { out.cap = (out.n + n + 1) * 2; out.p = realloc(out.p, out.cap); if (!out.p) die("out of memory"); }
  memcpy(out.p + out.n, s, n);
  out.n += n;
}
void puts_(const char *s) { put(s, strlen(s)); }
void putf(const char *fmt, ...) {
  char tmp[256];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
  va_end(ap);
  put(tmp, (size_t)n < sizeof tmp ? (size_t)n : sizeof tmp - 1);
}
void putstr(const char *s) {
  put("\"", 1);
  for (; *s; s++) {
    if (*s == '"' || *s == '\\') { put("\\", 1); put(s, 1); }
    else if ((unsigned char)*s < 0x20) putf("\\u%04x", (unsigned char)*s);
    else put(s, 1);
  }
  put("\"", 1);
}
void putb64(const unsigned char *d, size_t n) {
  static const char A[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  puts_("{\"$base64\":\"");
  for (size_t i = 0; i < n; i += 3) {
    unsigned v = d[i] << 16 | (i + 1 < n ? d[i + 1] << 8 : 0) | (i + 2 < n ? d[i + 2] : 0);
    char q[4] = { A[v >> 18], A[(v >> 12) & 63], i + 1 < n ? A[(v >> 6) & 63] : '=', i + 2 < n ? A[v & 63] : '=' };
    put(q, 4);
  }
  puts_("\"}");
}
void flush_line(void) {
  put("\n", 1);
  if (fwrite(out.p, 1, out.n, stdout) != out.n || fflush(stdout)) exit(0); /* the harness is gone */
  out.n = 0;
}

unsigned char *b64decode(const char *s, size_t *n) {
  size_t L = strlen(s);
  unsigned char *d = xmalloc(L / 4 * 3 + 3);
  size_t k = 0;
  unsigned v = 0;
  int bits = 0;
  static signed char T[256];
  if (!T['B']) {
    const char *A = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    memset(T, -1, sizeof T);
    for (int i = 0; i < 64; i++) T[(unsigned char)A[i]] = (signed char)i;
  }
  for (; *s && *s != '='; s++) {
    int x = T[(unsigned char)*s];
    if (x < 0) die("bad request: not base64");
    v = v << 6 | (unsigned)x;
    bits += 6;
    if (bits >= 8) { bits -= 8; d[k++] = (unsigned char)(v >> bits); }
  }
  *n = k;
  return d;
}
