/*
 * ipcspec-sandbox: the launcher every graded submission runs under (harness/sandbox/sandbox.ts).
 *
 *   ipcspec-sandbox --probe
 *     one JSON line: what this machine lets it do ({"root","netns","pidns","landlock"}), tried for real.
 *   ipcspec-sandbox [--dir DIR] [--uid N | --uid-later N] [--cpu S] [--mem MB] [--nproc N] [--fsize MB]
 *                   [--data MB] [--nofile N] [--pids N] [--netns] [--pidns] [--landlock [--read PATH]...] -- CMD ARGS...
 * --pids N (with --pidns) puts the sandbox's init in a cgroup of its own with pids.max N: a process
 * count for this submission alone. Where no cgroup can be made, --nproc N sets RLIMIT_NPROC to N more
 * than the user runs at launch: that limit counts every process and thread of the uid on the machine
 * (the grader's own, when it is not root; other submissions graded side by side as uid 65534).
 * --landlock confines writes to DIR (and /dev/null); with --read PATH (repeatable) it confines reads
 * and exec too: to DIR, /dev/null and beneath each PATH (a file or a directory), so that nothing else
 * on the machine (a rubric, another submission) can be opened, nor a directory outside listed.
 * --mem is RLIMIT_AS; --data is RLIMIT_DATA (private writable memory only), for runtimes such as node
 * that reserve far more address space than they use (node with tsx's WebAssembly lexers: over 30 GiB).
 *
 * Fail closed: a requested step that fails prints `ipcspec-sandbox: <what>: <why>` and exits 125;
 * the command is never run with less than was asked. An exec failure exits 127.
 * Without --pidns the launcher execs the command itself (same pid, same process group: the harness
 * kills that group). With --pidns it forks a tiny init (pid 1 of the new namespace), which forks the
 * command; when the command exits, init exits with its status and the kernel kills all it left.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* Landlock, defined here: older <linux/landlock.h> lack the newer fields and flags. */
#ifndef SYS_landlock_create_ruleset
#define SYS_landlock_create_ruleset 444
#define SYS_landlock_add_rule 445
#define SYS_landlock_restrict_self 446
#endif
struct ll_ruleset_attr { uint64_t handled_access_fs, handled_access_net, scoped; };
struct ll_path_beneath { uint64_t allowed_access; int32_t parent_fd; } __attribute__((packed));
#define LL_VERSION (1U << 0)
#define LL_RULE_PATH_BENEATH 1
#define LL_EXECUTE (1ULL << 0)
#define LL_WRITE_FILE (1ULL << 1)
#define LL_READ_FILE (1ULL << 2)
#define LL_READ_DIR (1ULL << 3)
#define LL_READS (LL_EXECUTE | LL_READ_FILE | LL_READ_DIR)
#define LL_TRUNCATE (1ULL << 14) /* ABI 3 */
#define LL_REFER (1ULL << 13)    /* ABI 2 */
/* REMOVE_DIR, REMOVE_FILE, MAKE_CHAR, MAKE_DIR, MAKE_REG, MAKE_SOCK, MAKE_FIFO, MAKE_BLOCK, MAKE_SYM: bits 4..12 */
#define LL_WRITES_V1 (LL_WRITE_FILE | (((1ULL << 9) - 1) << 4))
#define LL_SCOPE_ABSTRACT_UNIX (1ULL << 0) /* ABI 6 */
#define LL_SCOPE_SIGNAL (1ULL << 1)        /* ABI 6 */

#define FAIL 125
#define MAX_READS 64

static void die(const char *what, ...) {
  int e = errno;
  va_list ap;
  char buf[512];
  va_start(ap, what);
  vsnprintf(buf, sizeof buf, what, ap);
  va_end(ap);
  fprintf(stderr, "ipcspec-sandbox: %s: %s\n", buf, strerror(e));
  _exit(FAIL);
}

struct opts {
  const char *dir;
  long uid, uid_later, cpu, mem, data, nproc, fsize, nofile, pids;
  long nproc_base; /* tasks the uid runs at launch, counted before a PID namespace hides them */
  int netns, pidns, landlock;
  const char *reads[MAX_READS];
  int nreads;
  char **cmd;
};

static int landlock_abi(void) {
  long v = syscall(SYS_landlock_create_ruleset, NULL, 0, LL_VERSION);
  return v > 0 ? (int)v : 0;
}

/* Loopback up, by ioctl (no `ip` in the sandbox's way): the new namespace starts with lo down. */
static int loopback_up(void) {
  int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (s < 0) return -1;
  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  strcpy(ifr.ifr_name, "lo");
  int r = ioctl(s, SIOCGIFFLAGS, &ifr);
  if (r == 0) {
    ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
    r = ioctl(s, SIOCSIFFLAGS, &ifr);
  }
  int e = errno;
  close(s);
  errno = e;
  return r;
}

/* A forked child tries `fn`; 1 when it exited 0. */
static int tried(int (*fn)(void)) {
  pid_t p = fork();
  if (p < 0) return 0;
  if (p == 0) _exit(fn() == 0 ? 0 : 1);
  int st;
  while (waitpid(p, &st, 0) < 0 && errno == EINTR) {}
  return WIFEXITED(st) && WEXITSTATUS(st) == 0;
}
static int try_netns(void) { return unshare(CLONE_NEWNET) == 0 && loopback_up() == 0 ? 0 : -1; }
static int mount_proc_child(void) {
  return mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == 0 &&
         mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) == 0 && getpid() == 1 ? 0 : -1;
}
static int try_pidns(void) {
  if (unshare(CLONE_NEWPID | CLONE_NEWNS) != 0) return -1;
  return tried(mount_proc_child) ? 0 : -1;
}

/* The pids controller's hierarchy: cgroup v1's pids mount, or v2's root when it offers pids. */
static const char *pids_root(void) {
  if (access("/sys/fs/cgroup/pids/cgroup.procs", W_OK) == 0) return "/sys/fs/cgroup/pids";
  char buf[256] = "";
  FILE *f = fopen("/sys/fs/cgroup/cgroup.subtree_control", "r");
  if (f) { if (!fgets(buf, sizeof buf, f)) buf[0] = 0; fclose(f); }
  return strstr(buf, "pids") ? "/sys/fs/cgroup" : NULL;
}

static int write_file(const char *path, const char *text) {
  int fd = open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  ssize_t n = write(fd, text, strlen(text));
  int e = errno;
  close(fd);
  errno = e;
  return n == (ssize_t)strlen(text) ? 0 : -1;
}

/* Remove the cgroups of launchers that were killed before they could (empty by then: their namespaces died with them). */
static void remove_stale_cgroups(const char *root) {
  char path[512], tail;
  long pid;
  struct dirent *e;
  DIR *d = opendir(root);
  if (!d) return;
  while ((e = readdir(d))) {
    if (sscanf(e->d_name, "ipcspec-sandbox-%ld%c", &pid, &tail) != 1) continue;
    if (kill((pid_t)pid, 0) == 0 || errno != ESRCH) continue;
    snprintf(path, sizeof path, "%s/%s", root, e->d_name);
    rmdir(path);
  }
  closedir(d);
}

/* A cgroup for this launcher's sandbox, pids.max = max; its path is written to `out`. */
static int make_pids_cgroup(long max, char *out, size_t len) {
  const char *root = pids_root();
  if (!root) { errno = ENOENT; return -1; }
  remove_stale_cgroups(root);
  snprintf(out, len, "%s/ipcspec-sandbox-%ld", root, (long)getpid());
  if (mkdir(out, 0755) != 0 && errno != EEXIST) return -1;
  char path[600], n[32];
  snprintf(path, sizeof path, "%s/pids.max", out);
  snprintf(n, sizeof n, "%ld", max);
  if (write_file(path, n) != 0) { int e = errno; rmdir(out); errno = e; return -1; }
  return 0;
}

static int try_pids(void) {
  char cg[512];
  if (make_pids_cgroup(1, cg, sizeof cg) != 0) return -1;
  return rmdir(cg);
}

static int probe(void) {
  printf("{\"root\":%s,\"netns\":%s,\"pidns\":%s,\"landlock\":%d,\"pids\":%s}\n", geteuid() == 0 ? "true" : "false",
         tried(try_netns) ? "true" : "false", tried(try_pidns) ? "true" : "false", landlock_abi(),
         geteuid() == 0 && tried(try_pids) ? "true" : "false");
  return 0;
}

static void limit(int res, const char *name, rlim_t soft, rlim_t hard) {
  struct rlimit rl = { soft, hard };
  if (setrlimit(res, &rl) != 0) die("setrlimit %s %llu", name, (unsigned long long)soft);
}

static void close_fds_above_2(void) {
#ifdef SYS_close_range
  if (syscall(SYS_close_range, 3U, ~0U, 0U) == 0) return;
#endif
  long max = sysconf(_SC_OPEN_MAX);
  for (long fd = 3; fd < (max > 0 ? max : 65536); fd++) close((int)fd);
}

/* Allow `access` beneath `path`; a file (not a directory) takes only the rights that apply to files. */
static void allow(int ruleset, const char *path, uint64_t access) {
  int fd = open(path, O_PATH | O_CLOEXEC);
  if (fd < 0) die("landlock: open %s", path);
  struct stat st;
  if (fstat(fd, &st) != 0) die("landlock: stat %s", path);
  if (!S_ISDIR(st.st_mode)) access &= LL_EXECUTE | LL_WRITE_FILE | LL_READ_FILE | LL_TRUNCATE;
  struct ll_path_beneath pb = { access, fd };
  if (syscall(SYS_landlock_add_rule, ruleset, LL_RULE_PATH_BENEATH, &pb, 0) != 0) die("landlock: allow access beneath %s", path);
  close(fd);
}

/*
 * Every write-type access is handled, and allowed only beneath DIR (and writing /dev/null). With
 * --read paths, reads and exec are handled too: allowed beneath DIR, /dev/null and those paths alone.
 */
static void landlock(const char *dir, const char *const *reads, int nreads) {
  int abi = landlock_abi();
  if (abi <= 0) { errno = ENOSYS; die("landlock: not available"); }
  uint64_t writes = LL_WRITES_V1 | (abi >= 2 ? LL_REFER : 0) | (abi >= 3 ? LL_TRUNCATE : 0);
  uint64_t reading = nreads > 0 ? LL_READS : 0;
  struct ll_ruleset_attr attr = { writes | reading, 0, abi >= 6 ? LL_SCOPE_ABSTRACT_UNIX | LL_SCOPE_SIGNAL : 0 };
  int rs = (int)syscall(SYS_landlock_create_ruleset, &attr, sizeof attr, 0);
  if (rs < 0) die("landlock: create ruleset (ABI %d)", abi);
  allow(rs, dir, writes | reading);
  allow(rs, "/dev/null", LL_WRITE_FILE | (abi >= 3 ? LL_TRUNCATE : 0) | (reading & LL_READ_FILE));
  for (int i = 0; i < nreads; i++) allow(rs, reads[i], reading);
  if (syscall(SYS_landlock_restrict_self, rs, 0) != 0) die("landlock: restrict self");
  close(rs);
}

/* Tasks (processes and threads) whose real uid is u: what RLIMIT_NPROC counts. */
static long tasks_of(uid_t u) {
  long n = 0;
  DIR *d = opendir("/proc");
  if (!d) return 0;
  struct dirent *e;
  char path[300], line[256];
  while ((e = readdir(d))) {
    if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
    snprintf(path, sizeof path, "/proc/%s/status", e->d_name);
    FILE *f = fopen(path, "r");
    if (!f) continue;
    long uid = -1, threads = 0;
    while (fgets(line, sizeof line, f)) {
      if (!strncmp(line, "Uid:", 4)) uid = strtol(line + 4, NULL, 10);
      else if (!strncmp(line, "Threads:", 8)) threads = strtol(line + 8, NULL, 10);
    }
    fclose(f);
    if (uid == (long)u) n += threads;
  }
  closedir(d);
  return n;
}

/* In the process that becomes the command: limits, fds, dir, Landlock, uid; then exec. Never returns. */
static void become(struct opts *o) {
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) die("no_new_privs");
  if (o->cpu >= 0) limit(RLIMIT_CPU, "RLIMIT_CPU", (rlim_t)o->cpu, (rlim_t)o->cpu + 1);
  if (o->mem >= 0) limit(RLIMIT_AS, "RLIMIT_AS", (rlim_t)o->mem << 20, (rlim_t)o->mem << 20);
  if (o->data >= 0) limit(RLIMIT_DATA, "RLIMIT_DATA", (rlim_t)o->data << 20, (rlim_t)o->data << 20);
  /* RLIMIT_NPROC counts every task of the user on the machine: allow N more than it runs now (the grader's own, other submissions'). */
  if (o->nproc >= 0) limit(RLIMIT_NPROC, "RLIMIT_NPROC", (rlim_t)(o->nproc + o->nproc_base), (rlim_t)(o->nproc + o->nproc_base));
  if (o->fsize >= 0) limit(RLIMIT_FSIZE, "RLIMIT_FSIZE", (rlim_t)o->fsize << 20, (rlim_t)o->fsize << 20);
  if (o->nofile >= 0) limit(RLIMIT_NOFILE, "RLIMIT_NOFILE", (rlim_t)o->nofile, (rlim_t)o->nofile);
  limit(RLIMIT_CORE, "RLIMIT_CORE", 0, 0);
  close_fds_above_2();
  if (o->dir) {
    if (chdir(o->dir) != 0) die("chdir %s", o->dir);
    if (setenv("TMPDIR", o->dir, 1) != 0 || setenv("HOME", o->dir, 1) != 0) die("setenv");
  }
  if (o->landlock) landlock(o->dir, o->reads, o->nreads);
  char as[64] = "";
  if (o->uid >= 0) {
    gid_t g = (gid_t)o->uid;
    if (setgroups(0, NULL) != 0) die("setgroups");
    if (setgid(g) != 0) die("setgid %ld", o->uid);
    if (setuid((uid_t)o->uid) != 0) die("setuid %ld", o->uid);
    if (getuid() != (uid_t)o->uid || geteuid() != (uid_t)o->uid || getgid() != g) { errno = EPERM; die("still not uid %ld", o->uid); }
    snprintf(as, sizeof as, " as uid %ld", o->uid);
  } else if (o->uid_later >= 0) {
    char n[24];
    snprintf(n, sizeof n, "%ld", o->uid_later);
    if (setenv("IPCSPEC_SANDBOX_UID", n, 1) != 0) die("setenv");
  }
  execvp(o->cmd[0], o->cmd);
  int e = errno;
  fprintf(stderr, "ipcspec-sandbox: cannot execute %s%s: %s\n", o->cmd[0], as, strerror(e));
  _exit(127);
}

static int status_code(int st) { return WIFEXITED(st) ? WEXITSTATUS(st) : WIFSIGNALED(st) ? 128 + WTERMSIG(st) : FAIL; }

/* pid 1 of the new PID namespace: a fresh /proc, then the command; reaps everything; exits with the command's status. */
static void init(struct opts *o, int death_fd, int go_fd) {
  if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0) die("pdeathsig");
  /* The launcher may have died before the line above: its end of the pipe is then closed already. */
  struct pollfd pf = { death_fd, POLLIN, 0 };
  if (poll(&pf, 1, 0) > 0) _exit(FAIL);
  close(death_fd);
  /* Wait until the launcher has put this process in its cgroup (nothing is forked before). */
  char go;
  if (read(go_fd, &go, 1) != 1) _exit(FAIL);
  close(go_fd);
  if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) != 0) die("mount /proc");
  pid_t cmd = fork();
  if (cmd < 0) die("fork");
  if (cmd == 0) become(o);
  for (;;) {
    int st;
    pid_t p = waitpid(-1, &st, 0);
    if (p < 0 && errno == EINTR) continue;
    if (p < 0) die("wait");
    if (p == cmd) _exit(status_code(st));
  }
}

static long number(const char *flag, const char *s) {
  char *end;
  errno = 0;
  long v = s ? strtol(s, &end, 10) : -1;
  if (!s || errno || *end || v < 0) {
    fprintf(stderr, "ipcspec-sandbox: %s needs a number, got %s\n", flag, s ? s : "nothing");
    _exit(FAIL);
  }
  return v;
}

int main(int argc, char **argv) {
  pid_t parent = getppid();
  struct opts o = { .dir = NULL, .uid = -1, .uid_later = -1, .cpu = -1, .mem = -1, .data = -1, .nproc = -1, .fsize = -1, .nofile = -1, .pids = -1 };
  int i = 1;
  if (argc == 2 && strcmp(argv[1], "--probe") == 0) return probe();
  for (; i < argc && strcmp(argv[i], "--") != 0; i++) {
    const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
    if (!strcmp(a, "--netns")) o.netns = 1;
    else if (!strcmp(a, "--pidns")) o.pidns = 1;
    else if (!strcmp(a, "--landlock")) o.landlock = 1;
    else if (!strcmp(a, "--dir") && v) { o.dir = v; i++; }
    else if (!strcmp(a, "--read") && v) {
      if (o.nreads == MAX_READS) { fprintf(stderr, "ipcspec-sandbox: more than %d --read paths\n", MAX_READS); return FAIL; }
      o.reads[o.nreads++] = v;
      i++;
    }
    else if (!strcmp(a, "--uid")) { o.uid = number(a, v); i++; }
    else if (!strcmp(a, "--uid-later")) { o.uid_later = number(a, v); i++; }
    else if (!strcmp(a, "--cpu")) { o.cpu = number(a, v); i++; }
    else if (!strcmp(a, "--mem")) { o.mem = number(a, v); i++; }
    else if (!strcmp(a, "--data")) { o.data = number(a, v); i++; }
    else if (!strcmp(a, "--nproc")) { o.nproc = number(a, v); i++; }
    else if (!strcmp(a, "--fsize")) { o.fsize = number(a, v); i++; }
    else if (!strcmp(a, "--nofile")) { o.nofile = number(a, v); i++; }
    else if (!strcmp(a, "--pids")) { o.pids = number(a, v); i++; }
    else { fprintf(stderr, "ipcspec-sandbox: unknown option %s\n", a); return FAIL; }
  }
  if (i + 1 >= argc) { fprintf(stderr, "ipcspec-sandbox: usage: ipcspec-sandbox [options] -- CMD ARGS...\n"); return FAIL; }
  o.cmd = argv + i + 1;
  if (o.uid >= 0 && o.uid_later >= 0) { fprintf(stderr, "ipcspec-sandbox: --uid and --uid-later exclude each other\n"); return FAIL; }
  if (o.nreads && !o.landlock) { fprintf(stderr, "ipcspec-sandbox: --read needs --landlock\n"); return FAIL; }
  if (o.landlock && !o.dir) { fprintf(stderr, "ipcspec-sandbox: --landlock needs --dir\n"); return FAIL; }
  if (o.pids >= 0 && !o.pidns) { fprintf(stderr, "ipcspec-sandbox: --pids needs --pidns\n"); return FAIL; }
  close_fds_above_2();
  if (o.nproc >= 0) o.nproc_base = tasks_of(o.uid >= 0 ? (uid_t)o.uid : o.uid_later >= 0 ? (uid_t)o.uid_later : getuid());
  /* Before the mount namespace: remounting /sys would hide the cgroup hierarchies. */
  char cgroup[512] = "";
  int cg_procs = -1, cg_parent = -1;
  if (o.pids >= 0) {
    if (make_pids_cgroup(o.pids, cgroup, sizeof cgroup) != 0) die("cgroup with pids.max %ld", o.pids);
    /* Kept open: the new mount namespace may hide /sys/fs/cgroup (a fresh /sys for the network namespace). */
    char procs[600];
    snprintf(procs, sizeof procs, "%s/cgroup.procs", cgroup);
    cg_procs = open(procs, O_WRONLY | O_CLOEXEC);
    cg_parent = open(pids_root(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (cg_procs < 0 || cg_parent < 0) die("open cgroup %s", cgroup);
  }

  if (o.netns || o.pidns) {
    /* A mount namespace of its own: /proc (pid ns) and /sys (net ns) are mounted fresh, for it only. */
    if (unshare(CLONE_NEWNS) != 0) die("unshare mount namespace");
    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0) die("make / private");
  }
  if (o.netns) {
    if (unshare(CLONE_NEWNET) != 0) die("unshare network namespace");
    if (loopback_up() != 0) die("bring up loopback");
    /* sysfs shows the network namespace of whoever mounted it: remount so /sys/class/net lists only lo. */
    if (mount("sysfs", "/sys", "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) != 0) die("mount /sys");
  }
  if (!o.pidns) become(&o);

  /* Dies with ipcspec, even by kill -9 (which gives it no time to stop the submission): init below
     dies with this process, and every process of the namespace with init. */
  if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0) die("pdeathsig");
  if (getppid() != parent) _exit(FAIL);
  if (unshare(CLONE_NEWPID) != 0) die("unshare PID namespace");
  int death[2], go[2];
  if (pipe2(death, O_CLOEXEC) != 0 || pipe2(go, O_CLOEXEC) != 0) die("pipe");
  pid_t child = fork();
  if (child < 0) die("fork");
  if (child == 0) {
    close(death[1]);
    close(go[1]);
    init(&o, death[0], go[0]);
  }
  close(death[0]);
  close(go[0]);
  if (cg_procs >= 0) {
    char n[32];
    snprintf(n, sizeof n, "%ld", (long)child);
    if (write(cg_procs, n, strlen(n)) != (ssize_t)strlen(n)) { kill(child, SIGKILL); die("join cgroup %s", cgroup); }
    close(cg_procs);
  }
  if (write(go[1], "g", 1) != 1) die("start init");
  close(go[1]);
  int st;
  while (waitpid(child, &st, 0) < 0)
    if (errno != EINTR) die("wait");
  /* init's exit waited for every process of its namespace: the cgroup is empty now. */
  if (cg_parent >= 0) unlinkat(cg_parent, strrchr(cgroup, '/') + 1, AT_REMOVEDIR);
  return status_code(st);
}
