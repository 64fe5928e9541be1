/**
 * The goal sequencer behind the tour node: hands out goals one at a time and decides, from the
 * planner's status, when the current one is done (reached, unreachable, or timed out). Pure: time
 * is passed in, nothing is published here.
 */

export interface TourGoal {
  x: number;
  y: number;
  yaw: number;
}

/** What happened to one goal. */
export type GoalOutcome = { goal: TourGoal; index: number; result: "reached" | "no_path" | "timeout"; elapsedS: number; detail: string };

/** The planner's verdicts that end a goal (kestrel_msgs/PlannerStatus values). */
export interface StatusCodes {
  reached: number;
  noPath: number;
}

export interface SequencerOptions {
  goals: TourGoal[];
  /** Start again from the first goal after the last. */
  loop: boolean;
  /** Give up on a goal after this long (s). */
  goalTimeoutS: number;
  codes: StatusCodes;
}

/** Groups a flat [x, y, yaw, x, y, yaw, ...] parameter into goals; says what is wrong otherwise. */
export function goalsFromFlat(values: readonly number[]): TourGoal[] {
  if (values.length % 3 !== 0) {
    throw new Error(`goals: expected x, y, yaw triples, found ${values.length} numbers (${values.length % 3} left over)`);
  }
  const goals: TourGoal[] = [];
  for (let i = 0; i < values.length; i += 3) goals.push({ x: values[i]!, y: values[i + 1]!, yaw: values[i + 2]! });
  return goals;
}

export class GoalSequencer {
  private index = -1;
  private startedS = 0;
  readonly outcomes: GoalOutcome[] = [];

  constructor(private readonly options: SequencerOptions) {}

  get current(): TourGoal | undefined {
    return this.options.goals[this.index];
  }

  get finished(): boolean {
    return this.index >= this.options.goals.length;
  }

  /** Moves to the next goal (the first on the first call); undefined when the tour is over. */
  next(nowS: number): TourGoal | undefined {
    this.index++;
    if (this.index >= this.options.goals.length && this.options.loop && this.options.goals.length > 0) this.index = 0;
    this.startedS = nowS;
    return this.current;
  }

  /**
   * Feeds a planner status stamped `stampS` (statuses older than the current goal are about an
   * earlier one and are ignored). Returns the outcome when the current goal ended.
   */
  onStatus(status: number, message: string, stampS: number): GoalOutcome | undefined {
    const goal = this.current;
    if (!goal || stampS < this.startedS) return undefined;
    if (status === this.options.codes.reached) return this.finish("reached", stampS, message);
    if (status === this.options.codes.noPath) return this.finish("no_path", stampS, message);
    return undefined;
  }

  /** Ends the current goal when it has taken longer than the timeout. */
  onTime(nowS: number): GoalOutcome | undefined {
    if (!this.current || nowS - this.startedS <= this.options.goalTimeoutS) return undefined;
    return this.finish("timeout", nowS, `not reached within ${this.options.goalTimeoutS} s`);
  }

  private finish(result: GoalOutcome["result"], nowS: number, detail: string): GoalOutcome {
    const outcome: GoalOutcome = { goal: this.current!, index: this.index, result, elapsedS: nowS - this.startedS, detail };
    this.outcomes.push(outcome);
    return outcome;
  }
}
