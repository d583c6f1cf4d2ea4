/**
 * A small real HTTP backend for the LB's tests and benchmark.
 * Like the project's web servers it answers /health/ready (503 and X-Draining while draining), sets X-Served-By,
 * keeps connections alive 72 s, and on SIGTERM drains: readiness turns 503, it keeps serving for
 * drainMs (argv) so the LB can notice, then closes and exits.
 * argv: host port id [record|no] [drainMs] [ok|fail|NNN] (fail: every request but readiness gets
 * 500; a status such as 502 or 503: that status, a 503 with Retry-After as an app would send it).
 * With `record`, every request is written to stdout as `REQ <method> <x-request-id> <path>` before
 * it is answered (pipes are synchronous on Linux), so a test sees requests even from a killed backend.
 * Paths: /echo (the request's headers as JSON), /slow?ms=N, /status/N, /reset (drops the
 * connection without answering), /hop (names a header in Connection), /early (413 before reading
 * the body, then a lingering close, as the web servers refuse a body over their limit), /noread
 * (never reads the body, never answers), else `ok <id> <body size>`.
 */
import { createServer } from 'node:http';
import { lingerOnClose } from '../../services/shared/lingering-close.ts';

const [
  host = '127.0.0.1',
  portText = '0',
  id = 'backend',
  record = 'no',
  drainText = '1500',
  mode = 'ok',
] = process.argv.slice(2);
const recording = record === 'record';
const drainMs = Number(drainText);
let draining = false;

const server = createServer((req, res) => {
  const url = req.url ?? '/';
  if (recording)
    process.stdout.write(`REQ ${req.method} ${req.headers['x-request-id'] ?? '-'} ${url}\n`);
  if (url === '/health/ready') {
    res.writeHead(draining ? 503 : 200, {
      'content-type': 'text/plain',
      'x-served-by': id,
      ...(draining ? { 'x-draining': 'true' } : {}),
    });
    res.end(draining ? 'draining' : 'ready');
    return;
  }
  if (url.startsWith('/reset')) {
    req.socket.destroy();
    return;
  }
  if (url === '/early') {
    res.writeHead(413, { 'x-served-by': id, connection: 'close' });
    res.end('too large');
    return;
  }
  if (url === '/noread') {
    req.pause();
    return;
  }
  if (mode !== 'ok') {
    const status = mode === 'fail' ? 500 : Number(mode);
    res.writeHead(status, { 'x-served-by': id, ...(status === 503 ? { 'retry-after': '1' } : {}) });
    res.end('broken');
    return;
  }
  let size = 0;
  req.on('data', (chunk: Buffer) => {
    size += chunk.length;
  });
  req.on('end', () => {
    if (url === '/echo') {
      const body = JSON.stringify({ id, method: req.method, url, headers: req.rawHeaders, size });
      res.writeHead(200, { 'content-type': 'application/json', 'x-served-by': id });
      res.end(body);
      return;
    }
    if (url.startsWith('/slow')) {
      const ms = Number(new URL(url, 'http://x').searchParams.get('ms') ?? '100');
      setTimeout(() => {
        res.writeHead(200, { 'content-type': 'text/plain', 'x-served-by': id });
        res.end(`slow ${id}`);
      }, ms);
      return;
    }
    if (url.startsWith('/status/')) {
      res.writeHead(Number(url.slice(8)) || 500, { 'x-served-by': id });
      res.end();
      return;
    }
    if (url === '/hop') {
      res.writeHead(200, {
        'x-served-by': id,
        connection: 'x-backend-hop',
        'x-backend-hop': 'secret',
        'keep-alive': 'timeout=72',
      });
      res.end('hop');
      return;
    }
    res.writeHead(200, { 'content-type': 'text/plain', 'x-served-by': id });
    res.end(`ok ${id} ${size}`);
  });
});
server.keepAliveTimeout = 72_000;
server.on('connection', lingerOnClose);

process.on('SIGTERM', () => {
  if (draining) return;
  draining = true;
  setTimeout(() => {
    server.close(() => process.exit(0));
    server.closeIdleConnections();
  }, drainMs);
});

server.listen(Number(portText), host, () => {
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  process.stdout.write(`READY ${port}\n`);
});
