/**
 * What the LB answers when Node's HTTP parser rejects a request (malformed framing, obs-fold,
 * bare LF, NUL, oversized headers, header timeout): 400, 431 or 408 with a JSON body, then the
 * connection is closed. Nothing has been forwarded at that point.
 */
import type { Socket } from 'node:net';
import { errorBody } from '../../shared/http-error.ts';
import { countRejection, type ProxyContext } from '../proxy/context.ts';
import { isPoisoned, poison } from '../proxy/handler.ts';
import { REJECT_MESSAGES } from '../proxy/replies.ts';

function verdict(code: string | undefined): { status: number; text: string; code: string } {
  if (code === 'HPE_HEADER_OVERFLOW')
    return {
      status: 431,
      text: 'Request Header Fields Too Large',
      code: 'LB_ERR_HEADERS_TOO_LARGE',
    };
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT' || code === 'ERR_HTTP_HEADERS_TIMEOUT')
    return { status: 408, text: 'Request Timeout', code: 'LB_ERR_CLIENT_TIMEOUT' };
  return { status: 400, text: 'Bad Request', code: 'LB_ERR_BAD_REQUEST' };
}

/** Writes a complete JSON error response on the raw socket and closes the connection. */
function endWithError(socket: Socket, status: number, text: string, code: string): void {
  const body = JSON.stringify(errorBody(code, REJECT_MESSAGES[code] ?? 'Bad request.'));
  socket.end(
    `HTTP/1.1 ${status} ${text}\r\nContent-Type: application/json; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n${body}`,
  );
  socket.destroySoon();
}

export function onClientError(ctx: ProxyContext) {
  return (error: NodeJS.ErrnoException, socket: Socket): void => {
    if (isPoisoned(socket)) {
      socket.destroySoon();
      return;
    }
    poison(socket);
    const inFlight = Reflect.get(socket, '_httpMessage') as { headersSent?: boolean } | null;
    if (error.code === 'ECONNRESET' || !socket.writable || inFlight?.headersSent === true) {
      socket.destroy();
      return;
    }
    const v = verdict(error.code);
    countRejection(ctx, v.code);
    endWithError(socket, v.status, v.text, v.code);
  };
}

/** CONNECT (authority-form) is not proxied: 400 and close, like any other bad target. */
export function onConnectMethod(ctx: ProxyContext) {
  return (_req: unknown, socket: Socket): void => {
    poison(socket);
    countRejection(ctx, 'LB_ERR_BAD_TARGET');
    endWithError(socket, 400, 'Bad Request', 'LB_ERR_BAD_TARGET');
  };
}
