/**
 * The one place that decides whether tests are skipped: for want of something outside the
 * project (Redis, a browser, root, python3 with scipy, the native addon, the build). Locally the
 * tests are skipped and a line says what is missing and how to get it; under CI (CI set, as
 * .ci/run does) the tests are still skipped but one test fails with that reason, so that a CI
 * run never passes by leaving out what it was meant to check.
 */
import { describe, it } from 'vitest';

export const underCI = Boolean(process.env.CI);

export interface Requirement {
  /** Whether the tests that need it run. */
  met: boolean;
  /** `it`, or `it.skip` when the requirement is missing. */
  it: typeof it;
  /** `describe`, or `describe.skip` when the requirement is missing. */
  describe: typeof describe;
}

const reported = new Set<string>();

/**
 * `missing` is null when `what` is available, else why it is not and how to get it. Call it where
 * the tests are declared (at the top of a file or inside a describe): under CI, a missing
 * requirement declares its failing test there, once per file.
 */
export function requires(what: string, missing: string | null): Requirement {
  if (missing === null) return { met: true, it, describe };
  const key = `${what}\n${missing}`;
  if (!reported.has(key)) {
    reported.add(key);
    if (underCI) {
      it(`has ${what}`, () => {
        throw new Error(`CI is set but ${what} is missing: ${missing}`);
      });
    } else {
      process.stderr.write(`SKIPPED: the tests that need ${what} (${missing}); under CI they fail instead\n`);
    }
  }
  return { met: false, it: it.skip as typeof it, describe: describe.skip as typeof describe };
}
