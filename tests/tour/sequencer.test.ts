/** GoalSequencer: one goal at a time, advancing on the planner's verdicts or a timeout. */
import { goalsFromFlat, GoalSequencer } from "../../nodes/tour/sequencer";

const CODES = { reached: 4, noPath: 3 };
/** Two goals: (1, 0) facing +x, then (2, 1) facing +y. */
const GOALS = goalsFromFlat([1, 0, 0, 2, 1, Math.PI / 2]);

describe("GoalSequencer", () => {
  it("advances on REACHED and ends after the last goal", () => {
    const s = new GoalSequencer({ goals: GOALS, loop: false, goalTimeoutS: 60, codes: CODES });
    expect(s.next(0)).toEqual({ x: 1, y: 0, yaw: 0 });
    expect(s.onStatus(1, "planning", 0.5)).toBeUndefined();
    expect(s.onStatus(4, "", 5)).toMatchObject({ result: "reached", index: 0, elapsedS: 5 });
    expect(s.next(5)).toEqual({ x: 2, y: 1, yaw: Math.PI / 2 });
    expect(s.onStatus(3, "goal inside an obstacle", 6)).toMatchObject({ result: "no_path", detail: "goal inside an obstacle" });
    expect(s.next(6)).toBeUndefined();
    expect(s.finished).toBe(true);
  });

  it("ignores a status stamped before the current goal was sent (it is about the previous goal)", () => {
    const s = new GoalSequencer({ goals: GOALS, loop: false, goalTimeoutS: 60, codes: CODES });
    s.next(0);
    s.onStatus(4, "", 5);
    s.next(5);
    expect(s.onStatus(4, "", 4.9)).toBeUndefined();
  });

  it("gives up on a goal after the timeout", () => {
    const s = new GoalSequencer({ goals: GOALS, loop: false, goalTimeoutS: 10, codes: CODES });
    s.next(0);
    expect(s.onTime(9)).toBeUndefined();
    expect(s.onTime(10.5)).toMatchObject({ result: "timeout", detail: "not reached within 10 s" });
  });

  it("starts over when looping", () => {
    const s = new GoalSequencer({ goals: GOALS, loop: true, goalTimeoutS: 10, codes: CODES });
    s.next(0);
    s.next(1);
    expect(s.next(2)).toEqual(GOALS[0]);
  });

  it("rejects a goal list that is not x, y, yaw triples", () => {
    expect(() => goalsFromFlat([1, 2, 3, 4])).toThrow("goals: expected x, y, yaw triples, found 4 numbers (1 left over)");
  });
});
