/** The simulated robot: its spec and its differential-drive dynamics. */
export * from "./spec";
export * from "./diff-drive";
