/**
 * Suites that need something from the system (PyTorch, h5py, a Debian dataset...) declare it here
 * instead of skipping on their own:
 *
 *   needs('torch').describe('PyTorch export parity', () => { ... });
 *   needs('fashion-mnist').it('fashion-mnist-full loads', async () => { ... });
 *
 * Everything present: a plain describe/it. Something missing under `npm test` (and so CI): the
 * tests run and fail, saying what to install: nothing is skipped there. Missing in a single suite
 * run by hand: skipped, with a loud line on stderr saying what and why.
 */
import { missingRequirements, underNpmTest, type RequirementName } from './requirements.mjs';

type Body = () => void;
type TestBody = () => unknown;

export interface Gated {
  describe(name: string, body: Body): void;
  it(name: string, body: TestBody, timeout?: number): void;
}

export function needs(...names: RequirementName[]): Gated {
  const missing = missingRequirements(names);
  if (!missing.length) return { describe: (n, b) => describe(n, b), it: (n, b, t) => it(n, b, t) };
  const what = missing.map((m) => `${m.name} (${m.apt ? `Debian package ${m.apt}` : 'not a package'}: ${m.why})`).join(', ');
  const apt = [...new Set(missing.flatMap((m) => (m.apt ? [m.apt] : [])))];
  const install = [...(apt.length ? [`apt-get install -y ${apt.join(' ')}`] : []), ...missing.flatMap((m) => (m.get ? [m.get] : []))].join('; ');
  if (underNpmTest()) {
    const fail = () => {
      throw new Error(`npm test needs ${what}, which is missing on this machine: ${install}${apt.length ? ' (npm test installs packages when run as root)' : ''}`);
    };
    return {
      describe: (n, b) => describe(n, () => {
        beforeEach(fail); // each test fails with the reason (a failing beforeAll would mark them skipped)
        b();
      }),
      it: (n, _b, t) => it(n, fail, t),
    };
  }
  const shout = (kind: string, n: string) => process.stderr.write(`\n*** SKIPPED ${kind} "${n}": missing ${what}. Install: ${install} ***\n\n`);
  return {
    describe: (n, b) => {
      shout('suite', n);
      describe.skip(n, b);
    },
    it: (n, b, t) => {
      shout('test', n);
      it.skip(n, b, t);
    },
  };
}
