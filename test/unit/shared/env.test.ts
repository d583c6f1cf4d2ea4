import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  ConfigError,
  decimal,
  field,
  hostPort,
  httpUrl,
  integer,
  list,
  oneOf,
  optional,
  parseEnv,
  secret,
} from '../../../services/shared/config/env.ts';

test('parsers accept and reject', () => {
  const cases: [string, { parse: (raw: string) => unknown }, string, unknown][] = [
    ['oneOf ok', oneOf(['a', 'b']), 'b', 'b'],
    ['oneOf bad', oneOf(['a', 'b']), 'c', undefined],
    ['integer ok', integer(1, 6), '6', 6],
    ['integer above', integer(1, 6), '7', undefined],
    ['integer float', integer(1, 6), '2.5', undefined],
    ['integer junk', integer(1, 6), '3x', undefined],
    ['decimal ok', decimal(0.1, 64), '0.5', 0.5],
    ['decimal below', decimal(0.1, 64), '0.05', undefined],
    ['decimal sign', decimal(0.1, 64), '-1', undefined],
    ['hostPort ok', hostPort, '127.0.0.11:8306', { host: '127.0.0.11', port: 8306 }],
    ['hostPort ipv6', hostPort, '[::1]:80', { host: '[::1]', port: 80 }],
    ['hostPort no port', hostPort, 'db', undefined],
    ['hostPort port 0', hostPort, 'db:0', undefined],
    ['hostPort bad host', hostPort, 'd b:1', undefined],
    [
      'list ok',
      list(hostPort),
      'a:1, b:2',
      [
        { host: 'a', port: 1 },
        { host: 'b', port: 2 },
      ],
    ],
    ['list empty', list(hostPort), '', []],
    ['list bad item', list(hostPort), 'a:1,b', undefined],
    ['url ok', httpUrl, 'http://x:9/', new URL('http://x:9/')],
    ['url scheme', httpUrl, 'ftp://x', undefined],
  ];
  for (const [name, parser, raw, expected] of cases) {
    assert.deepEqual(parser.parse(raw), expected, name);
  }
});

test('parseEnv fills defaults, freezes, and names every bad variable', () => {
  const schema = {
    PORT: field(integer(1, 65535), 3000),
    ROLE: field(oneOf(['all', 'read', 'write'])),
    NAME: optional(oneOf(['x'])),
  };
  const ok = parseEnv({ ROLE: 'read' }, schema);
  assert.deepEqual({ ...ok }, { PORT: 3000, ROLE: 'read', NAME: undefined });
  assert.ok(Object.isFrozen(ok));

  const error = (() => {
    try {
      parseEnv({ PORT: 'http', NAME: 'y' }, schema);
    } catch (e) {
      return e;
    }
    return undefined;
  })();
  assert.ok(error instanceof ConfigError);
  assert.deepEqual(error.problems, [
    'PORT="http": expected an integer from 1 to 65535',
    'ROLE is required: expected one of all, read, write',
    'NAME="y": expected one of x',
  ]);
});

test('secrets come from NAME or NAME_FILE, never both, and are not echoed', () => {
  const dir = mkdtempSync(join(tmpdir(), 'env-test-'));
  const path = join(dir, 'pw');
  writeFileSync(path, 's3cret\n');
  const schema = { DB_PASSWORD: secret(integer(0, 0)) };
  const textSchema = { DB_PASSWORD: secret(oneOf(['s3cret'])) };
  assert.equal(parseEnv({ DB_PASSWORD_FILE: path }, textSchema).DB_PASSWORD, 's3cret');
  assert.throws(
    () => parseEnv({ DB_PASSWORD: 'a', DB_PASSWORD_FILE: path }, textSchema),
    /both set/,
  );
  assert.throws(() => parseEnv({ DB_PASSWORD_FILE: join(dir, 'missing') }, textSchema), /ENOENT/);
  assert.throws(
    () => parseEnv({ DB_PASSWORD: 'hunter2' }, schema),
    (e: unknown) =>
      e instanceof ConfigError && e.message.includes('(hidden)') && !e.message.includes('hunter2'),
  );
});
