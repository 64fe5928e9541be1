/**
 * Shadow, then policy: with promote_on_deploy the controller in shadow mode hands over to policy
 * mode once a policy is deployed (announced on /policy/info, as the learner does) or already
 * current at start; without it, shadow stays shadow.
 */
import { join } from "node:path";
import { POLICY_INFO_QOS, POLICY_INFO_TOPIC, policyInfoMessage, PolicyStore } from "../../nodes/learner/policy";
import { fixOrtForJest, goalSeekingLayers, tempDir, writeTestPackage } from "../learner/policy/support";
import { pathMessage, startController, type Harness } from "./harness";

fixOrtForJest();

const policyV = (d: number) => ((Math.tanh(d) + 1) / 2) * 0.22;
const last = (cmds: Array<{ linear: number; angular: number }>) => cmds[cmds.length - 1]!;

let t: ReturnType<typeof tempDir>;
let store: PolicyStore;
let h: Harness | undefined;
beforeEach(() => {
  t = tempDir();
  store = new PolicyStore(join(t.dir, "policies"));
});
afterEach(async () => {
  await h?.instance.stop?.();
  h = undefined;
  t.cleanup();
});

function deploy(id: string) {
  return store.deploy(writeTestPackage(join(t.dir, `cand-${id}`), { layers: goalSeekingLayers(), manifest: { id } }));
}
const infoLogs = () => h!.stack.logs.filter((l) => l.logger === "controller" && l.level === "INFO").map((l) => l.message);

describe("controller promote_on_deploy", () => {
  it("switches from shadow to policy when a deployed policy is announced on /policy/info", async () => {
    h = await startController(["-p", "mode:=shadow", "-p", "promote_on_deploy:=true", "-p", `policy_dir:=${store.root}`]);
    h.planPub.publish(pathMessage([[0, 0], [1, 0], [2, 0], [3, 0]]));
    await h.advance(1.0);
    expect(last(h.cmds).linear).toBeCloseTo(0.2, 6); // pursuit drives while there is no policy
    const deployed = deploy("learned");
    const announcer = h.stack.node("learner").createPublisher("kestrel_msgs/msg/PolicyInfo", POLICY_INFO_TOPIC, POLICY_INFO_QOS);
    announcer.publish(policyInfoMessage(deployed.current.manifest, { stamp: { sec: 0, nanosec: 0 }, deployedAt: deployed.pointer.deployed_at, store: store.root }));
    await h.advance(1.0);
    expect(h.params.values.mode).toBe("policy");
    expect(infoLogs()).toContainEqual(expect.stringMatching(/^policy: promoting 'learned' from shadow to policy mode \(promote_on_deploy\)/));
    expect(infoLogs()).toContainEqual("controller mode: 'shadow' -> 'policy'");
    expect(last(h.cmds).linear).toBeCloseTo(policyV(3), 5); // the policy drives now
  });

  it("promotes at start when the store already has a current policy", async () => {
    deploy("ready");
    h = await startController(["-p", "mode:=shadow", "-p", "promote_on_deploy:=true", "-p", `policy_dir:=${store.root}`]);
    await h.advance(0.2);
    expect(h.params.values.mode).toBe("policy");
    expect(h.instance.summary!()).toMatch(/^mode policy \(policy 'ready'\)/);
  });

  it("stays in shadow mode without promote_on_deploy", async () => {
    deploy("ready");
    h = await startController(["-p", "mode:=shadow", "-p", `policy_dir:=${store.root}`]);
    h.planPub.publish(pathMessage([[0, 0], [1, 0], [2, 0], [3, 0]]));
    await h.advance(1.0);
    expect(h.params.values.mode).toBe("shadow");
    expect(last(h.cmds).linear).toBeCloseTo(0.2, 6);
  });
});
