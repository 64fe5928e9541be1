/** The headless vectorised training environment. */
export { VecEnv, DEFAULT_VEC_ENV_CONFIG, DoneReason } from "./vec-env";
export type { ObservationExtension, VecEnvConfig, RewardConfig, StepInfo, StepResult } from "./vec-env";
