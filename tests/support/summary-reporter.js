/**
 * Prints one plain closing line, `Tests: N passed, N failed, N skipped`, after jest's own
 * summary, so CI logs carry a count in the form every runner-agnostic reader understands.
 */
class SummaryReporter {
  onRunComplete(_contexts, results) {
    const line = `Tests: ${results.numPassedTests} passed, ${results.numFailedTests} failed, ${results.numPendingTests} skipped`;
    process.stdout.write(`\n${line}\n`);
  }
}
module.exports = SummaryReporter;
