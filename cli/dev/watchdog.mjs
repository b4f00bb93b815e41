#!/usr/bin/env node
// The parent-death check of `caracal dev`: a detached process that watches
// caracal dev's pid and, once it is gone (even killed with SIGKILL, when no
// signal handler runs), stops what it started: wrangler's process group and
// redis-server. Plain JavaScript so it starts without tsx.
// Usage: node watchdog.mjs <parent pid> <target>... where a target is a pid,
// or -<pgid> for a whole process group.
const [parentArg, ...targetArgs] = process.argv.slice(2);
const parent = Number(parentArg);
const targets = targetArgs.map(Number).filter((t) => Number.isInteger(t) && t !== 0);

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return err.code === "EPERM";
  }
}

function signal(target, name) {
  try {
    process.kill(target, name);
  } catch {
    // already gone
  }
}

const timer = setInterval(() => {
  if (!targets.some(alive)) process.exit(0);
  // Reparented (our parent is gone) or the pid is gone: caracal dev has stopped.
  if (alive(parent)) return;
  clearInterval(timer);
  for (const target of targets) signal(target, "SIGTERM");
  setTimeout(() => {
    for (const target of targets) if (alive(target)) signal(target, "SIGKILL");
    process.exit(0);
  }, 3000);
}, 250);
