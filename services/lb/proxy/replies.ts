/** The LB's own responses: JSON error bodies that never carry internals, with stable codes. */
import type { ServerResponse } from 'node:http';
import { errorBody } from '../../shared/http-error.ts';

export const RETRY_AFTER_SECONDS = '1';

/** 503s of admission control: every backend full and the queue full / waited too long. */
export const QUEUE_FULL = {
  status: 503,
  code: 'LB_ERR_QUEUE_FULL',
  message: 'The servers are busy. Try again shortly.',
} as const;
export const QUEUE_TIMEOUT = {
  status: 503,
  code: 'LB_ERR_QUEUE_TIMEOUT',
  message: 'The servers are busy. Try again shortly.',
} as const;

export function sendError(
  res: ServerResponse,
  status: number,
  code: string,
  message: string,
  requestId: string,
  close: boolean,
): void {
  if (res.headersSent || res.destroyed) {
    res.destroy();
    return;
  }
  const body = JSON.stringify(errorBody(code, message));
  const headers: string[] = [
    'content-type',
    'application/json; charset=utf-8',
    'content-length',
    String(Buffer.byteLength(body)),
    'cache-control',
    'no-store',
  ];
  if (requestId !== '') headers.push('x-request-id', requestId);
  if (status === 503) headers.push('retry-after', RETRY_AFTER_SECONDS);
  if (close) headers.push('connection', 'close');
  res.writeHead(status, headers);
  res.end(body);
}

export const REJECT_MESSAGES: Readonly<Record<string, string>> = {
  LB_ERR_TOO_MANY_HEADERS: 'Too many request headers.',
  LB_ERR_HEADERS_TOO_LARGE: 'Request headers too large.',
  LB_ERR_BAD_TARGET: 'The request target must be a path.',
  LB_ERR_BAD_HOST: 'The request needs exactly one valid Host header.',
  LB_ERR_BAD_FRAMING: 'Ambiguous or unsupported message framing.',
  LB_ERR_BAD_REQUEST: 'Malformed request.',
  LB_ERR_CLIENT_TIMEOUT: 'The request was not received in time.',
};
