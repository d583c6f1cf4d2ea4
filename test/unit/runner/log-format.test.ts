import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clock, formatLogLine } from '../../../runner/logs/format.ts';

const now = new Date(2026, 10, 22, 9, 5, 7, 42);
const options = { nameWidth: 8, now };

test('clock shows local time with milliseconds', () => {
  assert.equal(clock(now), '09:05:07.042');
});

test('condenses lines into `time name LEVEL msg key=value`', () => {
  const at = new Date(2026, 10, 22, 10, 0, 1, 500);
  const cases: [string, string, string][] = [
    [
      'pino JSON with a label level and fields',
      JSON.stringify({
        level: 'info',
        time: at.toISOString(),
        service: 'web',
        instance: 'web-1',
        pid: 1,
        hostname: 'h',
        msg: 'web server ready',
        stage: 4,
        role: 'all',
      }),
      '10:00:01.500 web-1    INFO  web server ready stage=4 role=all',
    ],
    [
      'numeric pino level, quoted values with spaces, nested objects',
      JSON.stringify({
        level: 50,
        time: at.getTime(),
        msg: 'boom',
        path: '/a b',
        err: { type: 'Error', message: 'bad thing', stack: '...' },
      }),
      '10:00:01.500 web-1    ERROR boom path="/a b" err="Error: bad thing"',
    ],
    [
      'MariaDB error log line',
      '2026-11-22 15:28:11 0 [Warning] Could not increase number of max_open_files',
      '09:05:07.042 web-1    WARN  Could not increase number of max_open_files',
    ],
    [
      'Redis log line',
      '1234:M 22 Nov 2026 15:28:11.123 * Ready to accept connections tcp',
      '09:05:07.042 web-1    INFO  Ready to accept connections tcp',
    ],
    ['anything else as it is', 'plain text here', '09:05:07.042 web-1          plain text here'],
    ['broken JSON stays visible', '{"level":', '09:05:07.042 web-1          {"level":'],
    ['a JSON array is not a record', '[1,2]', '09:05:07.042 web-1          [1,2]'],
  ];
  for (const [name, line, expected] of cases)
    assert.equal(formatLogLine('web-1', line, options), expected, name);
});

test('a trailing carriage return is dropped', () => {
  assert.equal(formatLogLine('s3', 'hello\r', options), '09:05:07.042 s3             hello');
});
