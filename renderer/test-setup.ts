import '@testing-library/jest-dom/vitest';
import { configure } from '@testing-library/react';

// jsdom has no matchMedia (uPlot and theme detection read it): a "matches nothing" stand-in.
if (typeof window !== 'undefined' && !window.matchMedia) {
  window.matchMedia = (query: string) => ({
    matches: false, media: query, onchange: null,
    addListener: () => {}, removeListener: () => {},
    addEventListener: () => {}, removeEventListener: () => {}, dispatchEvent: () => false,
  }) as MediaQueryList;
}

// findBy*/waitFor give up after 1 s by default. The Data panel's waits include its 300 ms debounce and
// needed up to ~500 ms on a loaded 2-core box: a 1 s ceiling is a timing assumption CI can break. The
// waits still end as soon as their condition holds; only a real failure takes longer to report.
configure({ asyncUtilTimeout: 10_000 });
