/**
 * A training round as plain data: what the learner node asks its worker thread for, and what
 * comes back. Everything here crosses a worker_threads boundary (structured clone), so it holds
 * no functions, tensors or class instances.
 */

export type TrainAlgorithm = "bc" | "dagger";

export interface TrainJobRequest {
  /** Round number (1-based), for names and logs. */
  round: number;
  algorithm: TrainAlgorithm;
  /** bc: the recorded bags to learn from (rosbag2 directories or .mcap files). */
  bags: string[];
  /** Policy store: its current policy is evaluated against the candidate. */
  storeDir: string;
  /** The round's folder: the candidate package goes to <outDir>/policy. */
  outDir: string;
  /** Seed of this round's training (weights, minibatches). */
  seed: number;
  /** Gradient steps (dagger: per round). */
  steps: number;
  hidden: number[];
  batchSize: number;
  /** Worlds the evaluation (and dagger's rollouts) run in. */
  worlds: string[];
  /** Evaluation: episodes, robots stepped together, seed (the same for candidate and current). */
  evalEpisodes: number;
  evalEnvs: number;
  evalSeed: number;
  /** Evaluation (and dagger) episodes time out after this many 0.1 s steps. */
  maxEpisodeSteps: number;
  /** dagger: expert-driven env steps before the first training, and DAgger iterations. */
  expertSteps: number;
  iterations: number;
}

/** Statistics of one evaluation on the seeded episodes. */
export interface EvaluationSummary {
  episodes: number;
  successes: number;
  collisions: number;
  timeouts: number;
  successRate: number;
  meanReturn: number;
}

export interface CandidateReport {
  /** The exported package (policy.onnx + manifest.json). */
  dir: string;
  id: string;
  sha256: string;
  algorithm: TrainAlgorithm;
  evaluation: EvaluationSummary;
  /** Largest |TF.js − ONNX Runtime| of the export's parity check. */
  parityMaxAbsDiff: number;
  datasetSha256: string;
  /** Transitions and episodes trained on. */
  transitions: number;
  trainEpisodes: number;
}

/** What the candidate was compared with: the store's current policy, or none (the robot standing still). */
export interface IncumbentReport {
  id: string | null;
  sha256: string | null;
  evaluation: EvaluationSummary;
  /** Why the stand-still baseline was used, when it was. */
  note: string;
}

/** Where a round can fail. `worker` and `timeout` come from the runner, the rest from the job. */
export type JobStage = "dataset" | "train" | "evaluate" | "export" | "worker" | "timeout";

export type TrainJobResult =
  | { ok: true; candidate: CandidateReport; incumbent: IncumbentReport; seconds: number }
  | { ok: false; stage: JobStage; message: string; seconds: number };

/** Messages from the worker thread. */
export type JobMessage = { type: "progress"; line: string } | { type: "result"; result: TrainJobResult };

/** A failure of a named stage, thrown inside the job and mapped to a result in one place (train-job.ts). */
export class JobStageError extends Error {
  constructor(
    readonly stage: JobStage,
    message: string,
  ) {
    super(message);
    this.name = "JobStageError";
  }
}
