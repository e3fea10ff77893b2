// Before the end-to-end suite: the production build of the renderer (what web mode serves to people
// and the desktop window loads), rebuilt when missing or older than its sources.
import { ensureRendererBuild } from '../scripts/build.mjs';

export default async function setup(): Promise<void> {
  await ensureRendererBuild({ log: (m) => console.log(m) });
}
