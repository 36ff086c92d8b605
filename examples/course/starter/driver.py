#!/usr/bin/env python3
"""Starter for Option B: an `exec:` driver in front of your course's pipe simulator.

The grader runs `python3 driver.py` and speaks the driver protocol with it (spec/driver-protocol.md):
one JSON object per line on stdin (requests) and stdout (replies). Diagnostics go to stderr only.
Grade it with

    npx ipcspec grade --submission 'exec:python3 driver.py' --rubric ../examples/course/rubric.yaml

As handed out, it declares the pipe and FIFO ops but does none of them: every step answers
`unsupported` and every clause scores 0. Connect `Simulator` to your course's simulator (a teaching
kernel's system calls, a library, a subprocess ...) one op at a time; remove from OPS what you will
not do (a step whose op is not declared is never sent, and counts as unsupported).
"""
import base64
import json
import sys

# The ops your driver performs (spec/scenario.ts).
OPS = ["make-pipe", "write", "writev", "read", "readv", "close", "dup", "set-nonblock", "poll",
       "mkfifo", "open", "unlink", "stat"]
# Finer capabilities a step may need (spec/driver-protocol.md, hello): the ways of making a pipe.
FEATURES = ["variant:pipe", "variant:pipe2-nonblock", "variant:fifo", "variant:fifo-nonblock"]


class Simulator:
    """One scenario's worth of simulator state: its descriptors ("handles") and blocked calls."""

    def __init__(self):
        self.handles = {}   # the scenario's names ("r0", "w0") -> your simulator's descriptors
        self.blocked = {}   # step index -> the call that is blocked in it

    def step(self, index, call, data):
        """Perform one step; return its outcome and the earlier blocked calls it completed.

        An outcome is {"kind": "ok", "value": N} (a read adds "data": bytes), {"kind": "err",
        "errno": "EAGAIN"}, {"kind": "pending"} for a call that blocks, or {"kind": "unsupported",
        "reason": "..."}. `data` is the bytes a write or writev writes (None for other ops).
        """
        # TODO: dispatch on call["op"] to your simulator, e.g.
        #   if call["op"] == "make-pipe": r, w = sim.pipe(); self.handles[call["read"]] = r; ...
        return {"kind": "unsupported", "reason": f"the starter does not do {call['op']}"}, []

    def end(self):
        """Release everything the scenario made (blocked calls included)."""
        self.handles.clear()
        self.blocked.clear()


def encode(outcome):
    """Bytes travel as {"$base64": ...} (spec/driver-protocol.md)."""
    if isinstance(outcome.get("data"), (bytes, bytearray)):
        outcome = dict(outcome, data={"$base64": base64.b64encode(outcome["data"]).decode()})
    return outcome


def send(message):
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


def main():
    sim = None
    completed = []
    for line in sys.stdin:
        if not line.strip():
            continue
        r = json.loads(line)
        kind = r["type"]
        if kind == "hello":
            send({"type": "hello", "protocol": 1, "driver": "course starter driver.py 0.1",
                  "description": "Option B starter: a driver in front of the course's simulator",
                  "ops": OPS, "features": FEATURES, "settle": "proven", "privileged": False})
        elif kind == "begin":
            sim = Simulator()
            send({"type": "begun", "scenario": r["scenario"]})
        elif kind == "step":
            data = base64.b64decode(r["data"]["$base64"]) if "data" in r else None
            outcome, completed = sim.step(r["step"], r["call"], data)
            send({"type": "result", "step": r["step"], "outcome": encode(outcome)})
        elif kind == "settle":
            # every call this step completed, then: nothing else can happen until the next step
            for index, outcome in completed:
                send({"type": "complete", "step": index, "outcome": encode(outcome)})
            completed = []
            send({"type": "settled", "proven": True})
        elif kind == "end":
            sim.end()
            sim = None
            send({"type": "ended"})
        elif kind == "shutdown":
            send({"type": "bye"})
            return
        else:
            print(f"driver.py: unknown request {kind}", file=sys.stderr)
            sys.exit(2)


if __name__ == "__main__":
    main()
