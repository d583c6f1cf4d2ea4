/**
 * A tiny authoritative DNS server (UDP, A records only) on a loopback address, whose answers a
 * test changes at will, so the LB's real re-resolution path (LB_DNS_SERVERS) can be exercised.
 * Names it does not know get NXDOMAIN; AAAA questions for known names get an empty NOERROR.
 */
import { createSocket } from 'node:dgram';
import type { TestContext } from 'node:test';

export interface DnsServer {
  readonly address: string;
  /** Sets the A records of a name; `null` removes the name (NXDOMAIN). */
  set(name: string, addresses: readonly string[] | null): void;
  queries: number;
  /** While true, queries are received (and counted) but never answered. */
  muted: boolean;
}

function readName(msg: Buffer, offset: number): { name: string; end: number } {
  const labels: string[] = [];
  let i = offset;
  while (i < msg.length) {
    const len = msg[i] as number;
    if (len === 0) return { name: labels.join('.').toLowerCase(), end: i + 1 };
    labels.push(msg.subarray(i + 1, i + 1 + len).toString('latin1'));
    i += 1 + len;
  }
  return { name: '', end: msg.length };
}

function answer(query: Buffer, records: ReadonlyMap<string, readonly string[]>): Buffer | null {
  if (query.length < 12) return null;
  const { name, end } = readName(query, 12);
  const qtype = query.readUInt16BE(end);
  const question = query.subarray(12, end + 4);
  const known = records.get(name);
  const answers = known !== undefined && qtype === 1 ? known : [];
  const header = Buffer.alloc(12);
  header.writeUInt16BE(query.readUInt16BE(0), 0);
  header.writeUInt16BE(known === undefined ? 0x8183 : 0x8180, 2);
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(answers.length, 6);
  const rrs = answers.map((ip) => {
    const rr = Buffer.alloc(16);
    rr.writeUInt16BE(0xc00c, 0);
    rr.writeUInt16BE(1, 2);
    rr.writeUInt16BE(1, 4);
    rr.writeUInt32BE(1, 6);
    rr.writeUInt16BE(4, 10);
    ip.split('.').forEach((part, k) => {
      rr[12 + k] = Number(part);
    });
    return rr;
  });
  return Buffer.concat([header, question, ...rrs]);
}

export async function startDnsServer(t: TestContext, host: string): Promise<DnsServer> {
  const records = new Map<string, readonly string[]>();
  const socket = createSocket('udp4');
  const server: DnsServer = {
    address: '',
    set(name, addresses) {
      if (addresses === null) records.delete(name.toLowerCase());
      else records.set(name.toLowerCase(), addresses);
    },
    queries: 0,
    muted: false,
  };
  socket.on('message', (msg, rinfo) => {
    server.queries++;
    if (server.muted) return;
    const reply = answer(msg, records);
    if (reply !== null) socket.send(reply, rinfo.port, rinfo.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, host, () => resolve()));
  t.after(() => new Promise<void>((resolve) => socket.close(() => resolve())));
  return Object.assign(server, { address: `${host}:${socket.address().port}` });
}
