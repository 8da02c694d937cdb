// The local cloud's reaper: a small detached process, one per local cloud,
// that outlives it. It holds one end of a pipe whose other end is the
// cloud's; when the cloud goes away however it dies (SIGKILL, a crash, an
// out-of-memory kill) the pipe closes, and the reaper ends what the cloud
// started and can no longer stop: its task processes (the process groups the
// run file names) and its containers and networks (by the cloud's owner
// label). A cloud that stops cleanly says so first, and the reaper just
// exits.
//
// Plain JavaScript, started with the cloud's own Node and no loader: it must
// start fast and depend on nothing.
//
//   node reaper.mjs '{"cloudPid":123,"owner":"…","runFile":"…","docker":"docker"}'
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';

const { cloudPid, owner, runFile, docker } = JSON.parse(process.argv[2] ?? '{}');
const GRACE_MS = 1500;
let standDown = false;
let reaping = false;

process.stdin.setEncoding('utf8');
process.stdin.on('data', (text) => {
  if (text.includes('stand-down')) standDown = true;
});
process.stdin.on('end', reap);
process.stdin.on('close', reap);
process.stdin.on('error', reap);
// A backstop for a pipe that stays open (it never should): the cloud's pid gone.
setInterval(() => {
  if (!alive(cloudPid)) reap();
}, 1000);

function reap() {
  if (reaping) return;
  reaping = true;
  if (standDown) process.exit(0);
  const pids = taskPids();
  for (const pid of pids) signal(pid, 'SIGTERM');
  removeContainers();
  setTimeout(() => {
    for (const pid of pids) signal(pid, 'SIGKILL');
    rmSync(runFile, { force: true });
    process.exit(0);
  }, GRACE_MS);
}

function taskPids() {
  try {
    const run = JSON.parse(readFileSync(runFile, 'utf8'));
    return Array.isArray(run.tasks) ? run.tasks.filter((pid) => Number.isInteger(pid) && pid > 1) : [];
  } catch {
    return [];
  }
}

/** The task's whole process group (it leads one), else the process alone. */
function signal(pid, name) {
  try {
    process.kill(-pid, name);
  } catch {
    try {
      process.kill(pid, name);
    } catch {
      // already gone
    }
  }
}

function removeContainers() {
  if (!docker) return;
  const label = `label=stepship.local-cloud.owner=${owner}`;
  const run = (args) => {
    try {
      return execFileSync(docker, args, {
        encoding: 'utf8',
        timeout: 30_000,
        stdio: ['ignore', 'pipe', 'ignore'],
      })
        .split('\n')
        .filter(Boolean);
    } catch {
      return [];
    }
  };
  const containers = run(['ps', '--all', '--quiet', '--filter', label]);
  if (containers.length > 0) run(['rm', '--force', ...containers]);
  for (const network of run(['network', 'ls', '--quiet', '--filter', label])) run(['network', 'rm', network]);
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return err.code === 'EPERM';
  }
}
