/** The learners: behaviour cloning, DAgger and PPO over the VecEnv, and their shared pieces. */
export * from "./rl-math";
export * from "./mlp";
export * from "./env";
export * from "./seeding";
export * from "./curves";
export { DEFAULT_BC_CONFIG, trainBc } from "./bc";
export type { BcConfig, BcHooks, BcPoint, BcResult } from "./bc";
export { DEFAULT_DAGGER_CONFIG, betterRound, runDagger } from "./dagger";
export type { DaggerConfig, DaggerResult, DaggerRound } from "./dagger";
export { DEFAULT_PPO_CONFIG, runPpo } from "./ppo";
export type { PpoConfig, PpoPoint, PpoResult } from "./ppo";
