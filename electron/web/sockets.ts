/**
 * The WebSocket layer of web mode: what a socket that sent a bad frame is told, and the heartbeat
 * that closes sockets whose peer has gone quiet. Used for the app's own socket (`/ws`) and, under
 * `npm run dev`, Vite's hot-reload socket alike.
 */
import { WebSocket } from 'ws';
import { MAX_MESSAGE_BYTES } from '../../shared/ipc/contract';
import { formatMiB } from '../../shared/document/load';

/** Close codes `ws` uses for frames it refuses, with the reason the peer is given. */
export const CLOSE_REASONS: Record<number, string> = {
  1002: 'bad WebSocket frame (protocol error)',
  1007: 'invalid UTF-8 in a text message',
  1009: `message too big: at most ${formatMiB(MAX_MESSAGE_BYTES)}`,
};

/**
 * A server-side socket that says why it closes: `ws` closes a socket that sent a bad frame with a
 * bare status code (1002, 1007, 1009); this adds the reason in words.
 */
export class ExplainingWebSocket extends WebSocket {
  override close(code?: number, data?: string | Buffer): void {
    super.close(code, data ?? (code !== undefined ? CLOSE_REASONS[code] : undefined));
  }
}

/**
 * Ping `ws` every `intervalMs`; a peer that has not answered the previous ping is cut off. Browsers
 * answer pings on their own, so an open page stays connected however long it is idle.
 * Returns a function that stops the heartbeat (also stopped when the socket closes).
 */
export function keepAlive(ws: WebSocket, intervalMs: number, onDead?: () => void): () => void {
  let answered = true;
  ws.on('pong', () => (answered = true));
  const timer = setInterval(() => {
    if (!answered) {
      onDead?.();
      ws.terminate();
      return;
    }
    answered = false;
    ws.ping();
  }, intervalMs);
  timer.unref();
  const stop = () => clearInterval(timer);
  ws.once('close', stop);
  return stop;
}
