import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseWrk } from '../../../loadtest/core/wrk.ts';

const OUT = `Running 10s test @ http://127.0.0.1:9800/files/static/x/a.css
  1 threads and 50 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    12.51ms    8.02ms 120.00ms   80.00%
  Latency Distribution
     50%   10.00ms
     75%   15.00ms
     90%   20.00ms
     99%  750.00us
  40032 requests in 10.02s, 170.00MB read
  Socket errors: connect 0, read 2, write 0, timeout 3
  Non-2xx or 3xx responses: 7
Requests/sec:   3994.21
Transfer/sec:     16.97MB
`;

test('wrk output: req/s, p99 in any unit, requests and failures', () => {
  assert.deepEqual(parseWrk(OUT), {
    rps: 3994.21,
    p50Ms: 10,
    p99Ms: 0.75,
    requests: 40032,
    failures: 12,
  });
  assert.equal(parseWrk(OUT.replace('750.00us', '1.50s')).p99Ms, 1500);
  assert.deepEqual(parseWrk(''), { rps: 0, p50Ms: 0, p99Ms: 0, requests: 0, failures: 0 });
});
