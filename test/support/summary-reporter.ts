import type { Reporter, TestModule } from 'vitest/node';

/**
 * Prints the one closing line CI reads, `N passed, N failed`, after vitest's own summary.
 * Counts test cases; a file that failed to load, or whose hook failed (an `afterAll` timing out on a loaded machine)
 * while its cases passed, counts as one failure, so a run vitest exits 1 for never closes on `0 failed`.
 */
export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<unknown>): void {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    for (const mod of testModules) {
      let casesFailed = 0;
      for (const test of mod.children.allTests()) {
        const state = test.result().state;
        if (state === 'passed') passed++;
        else if (state === 'failed') casesFailed++;
        else skipped++;
      }
      failed += casesFailed;
      if (casesFailed === 0 && mod.state() === 'failed') failed++;
    }
    failed += unhandledErrors.length;
    process.stdout.write(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}\n`);
  }
}
