// Where the system has /proc (Linux): is any thread of this process, other than the one running the
// event loop, on a CPU or in an uninterruptible wait? A pool thread that is copying bytes into a FIFO
// shows R; one asleep in a blocked call, or idle, shows S. This cannot say which call a thread is
// in, so settle stays "unknown"; it only keeps settle from ending while the runtime is visibly busy.
import { readdirSync, readFileSync } from 'node:fs';
import process from 'node:process';

const TASKS = '/proc/self/task';
const HAVE_PROC = (() => { try { readdirSync(TASKS); return true; } catch { return false; } })();

export function otherThreadsRunning() {
  if (!HAVE_PROC) return false;
  let tasks;
  try { tasks = readdirSync(TASKS); } catch { return false; }
  for (const t of tasks) {
    if (t === String(process.pid)) continue;
    try {
      const st = readFileSync(`${TASKS}/${t}/stat`, 'latin1');
      const state = st[st.lastIndexOf(')') + 2];
      if (state === 'R' || state === 'D') return true;
    } catch { /* the thread ended */ }
  }
  return false;
}
