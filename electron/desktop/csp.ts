/**
 * The Content-Security-Policy of the desktop window (added to every response by the main process).
 * Its own module, free of Electron, so that the end-to-end tests load the built renderer from
 * file:// under exactly this policy.
 */
export function rendererCsp(devUrl?: string): string {
  const dev = devUrl ? new URL(devUrl) : null;
  return [
    "default-src 'self'",
    "script-src 'self' 'wasm-unsafe-eval'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    `connect-src 'self'${dev ? ` ws://${dev.host}` : ''}`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}
