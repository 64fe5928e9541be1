/** The velocity smoother's limits: acceleration-limited ramps, velocity clamps, deadband. */
import { accelerationLimited, applyDeadband, VelocitySmoother, type SmootherLimits } from "../../nodes/controller/smoother";

/** TurtleBot3-like limits with a slow linear acceleration so ramps take several steps. */
const limits = (overrides: Partial<SmootherLimits> = {}): SmootherLimits => ({
  maxLinear: 0.22, // m/s
  minLinear: 0, // no reversing
  maxAngular: 2.84, // rad/s
  maxLinearAccel: 0.5, // m/s²: 0.05 m/s per 0.1 s step
  maxLinearDecel: 1.0, // m/s²
  maxAngularAccel: 100, // effectively unlimited here
  maxAngularDecel: 100,
  deadbandLinear: 0,
  deadbandAngular: 0,
  ...overrides,
});

describe("accelerationLimited", () => {
  it.each([
    // current, target, accel, decel, dt, next
    [0, 0.2, 2.5, 2.5, 0.05, 0.125], // speeding up: one accel step
    [0.125, 0.2, 2.5, 2.5, 0.05, 0.2], // within one step: reaches the target
    [0.2, 0, 2.5, 1.0, 0.05, 0.15], // slowing: the decel limit
    [0.1, -0.1, 2.5, 1.0, 0.05, 0.05], // reversing counts as slowing
    [-0.2, -0.1, 2.5, 1.0, 0.05, -0.15], // slowing while reversing
  ])("%p -> %p (accel %p, decel %p, dt %p) = %p", (cur, target, acc, dec, dt, out) =>
    expect(accelerationLimited(cur, target, acc, dec, dt)).toBeCloseTo(out, 9));
});

describe("applyDeadband", () => {
  it.each([
    // value, deadband, output
    [0.005, 0.01, 0],
    [-0.005, 0.01, 0],
    [-0.02, 0.01, -0.02],
    [0.01, 0.01, 0.01], // the edge passes
  ])("%p with deadband %p -> %p", (v, d, out) => expect(applyDeadband(v, d)).toBe(out));
});

describe("VelocitySmoother", () => {
  it("ramps up at the acceleration limit and settles at the velocity limit", () => {
    const s = new VelocitySmoother(limits());
    const ramp = Array.from({ length: 6 }, () => s.smooth({ linear: 0.5, angular: 0 }, 0.1).linear);
    ramp.forEach((v, i) => expect(v).toBeCloseTo([0.05, 0.1, 0.15, 0.2, 0.22, 0.22][i]!, 9));
  });

  it("ramps down at the deceleration limit", () => {
    const s = new VelocitySmoother(limits());
    s.reset({ linear: 0.22, angular: 0 });
    const ramp = Array.from({ length: 3 }, () => s.smooth({ linear: 0, angular: 0 }, 0.1).linear);
    ramp.forEach((v, i) => expect(v).toBeCloseTo([0.12, 0.02, 0][i]!, 9));
  });

  it.each([
    // target, clamped output
    [{ linear: 0.3, angular: -5 }, { linear: 0.22, angular: -2.84 }],
    [{ linear: -0.1, angular: 5 }, { linear: 0, angular: 2.84 }], // min_linear_vel 0 forbids reversing
  ])("clamps %p to %p", (target, out) => {
    const s = new VelocitySmoother(limits({ maxLinearAccel: 100, maxLinearDecel: 100 }));
    const got = s.smooth(target, 0.1);
    expect(got.linear).toBeCloseTo(out.linear, 9);
    expect(got.angular).toBeCloseTo(out.angular, 9);
  });

  it("sends values inside the deadband as zero but keeps ramping from them", () => {
    const s = new VelocitySmoother(limits({ deadbandLinear: 0.06 }));
    expect(s.smooth({ linear: 0.2, angular: 0 }, 0.1).linear).toBe(0); // 0.05 < 0.06
    expect(s.current.linear).toBeCloseTo(0.05, 9);
    expect(s.smooth({ linear: 0.2, angular: 0 }, 0.1).linear).toBeCloseTo(0.1, 9);
  });

  it("previews a second command's step from the same ramp without moving it (the expert beside a policy)", () => {
    const s = new VelocitySmoother(limits());
    s.reset({ linear: 0.1, angular: 0 });
    expect(s.preview({ linear: 0.22, angular: 1 }, 0.1)).toEqual({ linear: expect.closeTo(0.15, 9), angular: 1 });
    expect(s.current).toEqual({ linear: 0.1, angular: 0 }); // untouched
    expect(s.smooth({ linear: 0, angular: 0 }, 0.1).linear).toBeCloseTo(0, 9); // the real step ramps from 0.1
  });
});
