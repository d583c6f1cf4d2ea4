import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renderHtml } from '../../../services/lb/admin/html.ts';
import { renderPrometheus } from '../../../services/lb/admin/prometheus.ts';
import { mergeSnapshots, type StatsSnapshot } from '../../../services/lb/admin/stats.ts';
import { redirectLocation } from '../../../services/lb/listeners/redirect.ts';

const snapshot = (requests: number, up: boolean, role: 'primary' | 'worker'): StatsSnapshot => ({
  pools: [
    {
      name: 'web',
      routing: 'normal',
      fallback: null,
      healthy: up ? 1 : 0,
      requests,
      noBackend: 1,
      retries: 2,
      stickyRedispatches: 0,
      fallbacks: 0,
      panicRequests: 0,
      queueFull: 0,
      queueTimeouts: 0,
      queued: 0,
      latency: [requests, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1],
      latencySum: 0.5,
      backends: [
        {
          key: 'web|127.0.0.31:3000',
          address: '127.0.0.31:3000',
          weight: 2,
          up,
          check: {
            result: up ? 'passed' : 'failed',
            detail: up ? '200' : 'ECONNREFUSED',
            at: 0,
            durationMs: 1,
          },
          inflight: 1,
          requests,
          responses: [0, 0, requests, 0, 0, 1],
          failures: {
            refused: 1,
            'connect-timeout': 0,
            reset: 0,
            'headers-timeout': 0,
            'body-timeout': 0,
            other: 0,
          },
          retries: 1,
          ejections: 0,
          stickyHits: 3,
        },
      ],
    },
  ],
  rejected: { LB_ERR_BAD_HOST: 1 },
  processes: [{ pid: 1, role, rssBytes: 1048576, cpuSeconds: 1 }],
});

test('merging: health from the control process, counters summed over workers', () => {
  const merged = mergeSnapshots(snapshot(0, false, 'primary'), [
    snapshot(10, true, 'worker'),
    snapshot(5, true, 'worker'),
  ]);
  const pool = merged.pools[0];
  const b = pool?.backends[0];
  assert.equal(pool?.requests, 15);
  assert.equal(pool?.retries, 6);
  assert.equal(b?.up, false, 'the control process decides health');
  assert.equal(b?.requests, 15);
  assert.equal(b?.inflight, 3);
  assert.equal(b?.responses[2], 15);
  assert.equal(b?.failures.refused, 3);
  assert.equal(merged.rejected.LB_ERR_BAD_HOST, 3);
  assert.equal(merged.processes.length, 3);
});

test('Prometheus text: counters, gauges and a cumulative histogram', () => {
  const text = renderPrometheus(snapshot(10, true, 'primary'));
  assert.match(text, /^# TYPE lb_requests_total counter$/m);
  assert.match(text, /^lb_requests_total\{pool="web"\} 10$/m);
  assert.match(text, /^lb_backend_up\{pool="web",backend="127\.0\.0\.31:3000"\} 1$/m);
  assert.match(
    text,
    /^lb_backend_responses_total\{pool="web",backend="127\.0\.0\.31:3000",code="2xx"\} 10$/m,
  );
  assert.match(text, /^lb_request_duration_seconds_bucket\{pool="web",le="0\.001"\} 10$/m);
  assert.match(text, /^lb_request_duration_seconds_bucket\{pool="web",le="\+Inf"\} 11$/m);
  assert.match(text, /^lb_request_duration_seconds_count\{pool="web"\} 11$/m);
  assert.match(text, /^lb_rejected_requests_total\{code="LB_ERR_BAD_HOST"\} 1$/m);
});

test('the stats page shows each backend, its state and last check, escaped', () => {
  const s = snapshot(10, false, 'primary');
  const html = renderHtml(
    { ...s, pools: [{ ...(s.pools[0] as StatsSnapshot['pools'][number]), name: '<web>' }] },
    'LB',
  );
  assert.match(html, /127\.0\.0\.31:3000/);
  assert.match(html, /class="down">DOWN/);
  assert.match(html, /failed ECONNREFUSED/);
  assert.match(html, /&#60;web&#62;/);
  assert.doesNotMatch(html, /<web>/);
});

const redirects: [string, string, number, string | undefined][] = [
  ['example.test', '/a?b=1', 443, 'https://example.test/a?b=1'],
  ['example.test:8080', '/', 8443, 'https://example.test:8443/'],
  ['127.0.0.1:80', '/x', 20443, 'https://127.0.0.1:20443/x'],
  ['[::1]:80', '/x', 443, 'https://[::1]/x'],
  ['evil.test/path', '/', 443, undefined],
  ['evil.test@other', '/', 443, undefined],
  ['a.test', '//evil.test/', 443, undefined],
  ['a.test', 'http://evil.test/', 443, undefined],
  ['', '/', 443, undefined],
];
for (const [host, url, port, expected] of redirects) {
  test(`redirect for Host ${JSON.stringify(host)} ${url} → ${expected ?? 'refused'}`, () => {
    assert.equal(redirectLocation(host, url, port), expected);
  });
}
