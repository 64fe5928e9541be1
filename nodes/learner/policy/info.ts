/**
 * kestrel_msgs/PolicyInfo: the announcement of a deployed or loaded policy on /policy/info
 * (latched: reliable, transient-local, depth 1, so a controller started later still hears it).
 */
import type { kestrel_msgs } from "../../../msgs/generated/types";
import type { QosSpec } from "../../../ros/qos";
import { timeFromNs, type Time } from "../../../ros/time";
import type { PolicyManifest } from "./manifest";

export const POLICY_INFO_TOPIC = "/policy/info";
export const POLICY_INFO_QOS: QosSpec = { depth: 1, reliability: "reliable", durability: "transient_local" };

export function codeVersionText(m: PolicyManifest): string {
  const c = m.provenance.code_version;
  return c.git_commit ? `${c.package_version}+${c.git_commit.slice(0, 12)}` : c.package_version;
}

/** An ISO 8601 time as a ROS Time (wall clock, ns resolution lost below ms). */
export function timeFromIso(iso: string): Time {
  const ms = Date.parse(iso);
  return Number.isFinite(ms) ? timeFromNs(BigInt(ms) * 1_000_000n) : { sec: 0, nanosec: 0 };
}

export function policyInfoMessage(
  manifest: PolicyManifest,
  options: { stamp: Time; deployedAt: string; previousId?: string; store?: string },
): kestrel_msgs.msg.PolicyInfo {
  return {
    header: { stamp: options.stamp, frame_id: "" },
    policy_id: manifest.id,
    sha256: manifest.model.sha256,
    algorithm: manifest.provenance.algorithm,
    dataset_hash: manifest.provenance.dataset_sha256,
    code_version: codeVersionText(manifest),
    success_rate: manifest.evaluation?.success_rate ?? Number.NaN,
    mean_return: manifest.evaluation?.mean_return ?? Number.NaN,
    deployed_at: timeFromIso(options.deployedAt),
    previous_policy_id: options.previousId ?? "",
    store: options.store ?? "",
  };
}
