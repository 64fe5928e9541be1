/** Jest runs the TypeScript sources through ts-jest without type-checking (isolatedModules):
 * `npm test` type-checks the whole tree once with `tsc --noEmit` first, which is faster than
 * ts-jest type-checking every file per worker. */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/tests"],
  testMatch: ["**/*.test.ts"],
  transform: { "^.+\\.ts$": ["ts-jest", { isolatedModules: true }] },
  testTimeout: 30000,
  reporters: ["default", "<rootDir>/tests/support/summary-reporter.js"],
};
