/**
 * Import first in pages that run under a Content-Security-Policy without 'unsafe-eval' (the
 * renderer, the preload): zod probes for eval with `new Function` when a schema is defined, which
 * the browser refuses and reports as a policy violation on every start. Validate without it.
 */
import { z } from 'zod';

z.config({ jitless: true });
