// Small helpers for run.sh, in node because a fresh Debian may have neither python3 nor curl.
//   node util.mjs free-port                          prints a free TCP port on 127.0.0.1
//   node util.mjs wait URL SECONDS PID [SUBSTRING]   waits until URL answers 2xx (and its body
//                                                    contains SUBSTRING); fails early when PID exits
import net from 'node:net';

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitHttp(url, seconds, pid, substring) {
  const deadline = Date.now() + seconds * 1000;
  let last = 'no answer yet';
  for (;;) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
      const body = await response.text();
      if (response.ok && (!substring || body.includes(substring))) return;
      last = `HTTP ${response.status}: ${body.slice(0, 200)}`;
    } catch (error) {
      last = String(error.cause ?? error);
    }
    if (pid && !alive(pid)) throw new Error(`process ${pid} exited; last attempt: ${last}`);
    if (Date.now() >= deadline) throw new Error(`no ready answer within ${seconds}s; last attempt: ${last}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const [command, ...args] = process.argv.slice(2);
try {
  if (command === 'free-port') {
    console.log(await freePort());
  } else if (command === 'wait') {
    const [url, seconds, pid, substring] = args;
    await waitHttp(url, Number(seconds), Number(pid) || 0, substring);
  } else {
    throw new Error(`unknown command ${command}; use free-port or wait`);
  }
} catch (error) {
  console.error(`util.mjs ${command}: ${error.message}`);
  process.exit(1);
}
