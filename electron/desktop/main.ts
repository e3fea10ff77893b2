// The desktop app's entry (bundled to dist/electron/main.cjs by scripts/build.mjs).
import { bootstrap } from './app';

bootstrap();
