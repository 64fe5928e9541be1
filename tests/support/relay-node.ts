/**
 * A small but real node definition for container and launch tests: relays std_msgs/String from
 * `in` to `out`, prefixing each message with its `prefix` parameter, and reports a count.
 */
import { defineNode, type NodeDefinition } from "../../ros/definition";

export const relayNode: NodeDefinition<{ prefix: string; limit: number }> = defineNode<{ prefix: string; limit: number }>({
  name: "relay",
  description: "Relays std_msgs/String from 'in' to 'out' with a prefix",
  parameters: {
    type: "object",
    properties: {
      prefix: { type: "string", default: "", description: "Text put before each message" },
      limit: { type: "integer", default: 100, description: "Messages to relay before stopping", minimum: 1 },
    },
  },
  start(node, params) {
    let relayed = 0;
    const out = node.createPublisher("std_msgs/msg/String", "out");
    const subscription = node.subscribe("std_msgs/msg/String", "in").subscribe((m) => {
      if (relayed >= params.values.limit) return;
      relayed++;
      out.publish({ data: `${params.values.prefix}${m.data}` });
    });
    return {
      stop: () => subscription.unsubscribe(),
      summary: () => `relayed ${relayed}`,
    };
  },
});

/** A node whose start throws, to show one bad node does not take the others down. */
export const brokenNode = defineNode<Record<string, never>>({
  name: "broken",
  description: "Throws in start",
  parameters: { type: "object", properties: {} },
  start() {
    throw new Error("camera driver not found");
  },
});
