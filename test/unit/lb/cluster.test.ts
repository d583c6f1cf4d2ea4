import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CrashWindow } from '../../../services/lb/cluster/respawn.ts';

const table: [string, number[], boolean[]][] = [
  ['four crashes in a minute: keep respawning', [0, 1, 2, 3], [false, false, false, false]],
  ['the fifth within a minute: give up', [0, 1, 2, 3, 4], [false, false, false, false, true]],
  [
    'crashes older than the window are forgotten',
    [0, 1000, 2000, 3000, 60_000, 61_000],
    [false, false, false, false, false, false],
  ],
  [
    'five within the last minute after an old one',
    [0, 70_000, 71_000, 72_000, 73_000, 74_000],
    [false, false, false, false, false, true],
  ],
];

for (const [name, times, expected] of table) {
  test(`respawn policy: ${name}`, () => {
    const window = new CrashWindow(5, 60_000);
    assert.deepEqual(
      times.map((at) => window.record(at)),
      expected,
    );
  });
}
