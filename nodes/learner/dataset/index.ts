/** Learning datasets: from bags of the stack's episodes, or from VecEnv rollouts of the expert. */
export * from "./dataset";
export { DEFAULT_BAG_DATASET_OPTIONS, alignMessages, bagContentHash, datasetFromBags, yawOf } from "./from-bags";
export type { BagDatasetOptions, BagTopics, TimedMessage } from "./from-bags";
export { RolloutStore, collectRollout } from "./from-vecenv";
export type { PolicyActor, RolloutOptions, RolloutSummary } from "./from-vecenv";
