/**
 * The client's request body as the undici engine hands it to a backend. It reads from the client
 * only once undici asks (a connection exists), so a refused connect leaves the body whole for a
 * retry; undici may destroy it (when the backend answers early) without touching the client's
 * connection; and it says when the whole body has been handed over, which is when the wait for
 * the response head starts (HAProxy's `timeout server`, not counting a slow upload).
 */
import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';

export interface RelayEvents {
  /** The whole body has been handed to the engine. */
  sent(): void;
  /** The backend stopped (true) or resumed (false) taking the body. */
  stalled(stalled: boolean): void;
}

export class BodyRelay extends Readable {
  readonly #req: IncomingMessage;
  readonly #events: RelayEvents;
  #attached = false;
  #stalled = false;

  constructor(req: IncomingMessage, events: RelayEvents) {
    super({ highWaterMark: 64 * 1024 });
    this.#req = req;
    this.#events = events;
  }

  override _read(): void {
    if (!this.#attached) {
      this.#attached = true;
      this.#req.on('data', this.#onData);
      this.#req.once('end', this.#onEnd);
      this.#req.once('error', this.#onError);
    }
    if (this.#stalled) {
      this.#stalled = false;
      this.#events.stalled(false);
    }
    this.#req.resume();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.#detach();
    callback(error);
  }

  readonly #onData = (chunk: Buffer): void => {
    if (this.push(chunk)) return;
    this.#req.pause();
    this.#stalled = true;
    this.#events.stalled(true);
  };

  readonly #onEnd = (): void => {
    this.#detach();
    this.push(null);
    this.#events.sent();
  };

  readonly #onError = (error: Error): void => {
    this.destroy(error);
  };

  #detach(): void {
    if (!this.#attached) return;
    this.#attached = false;
    this.#req.off('data', this.#onData);
    this.#req.off('end', this.#onEnd);
    this.#req.off('error', this.#onError);
  }
}
