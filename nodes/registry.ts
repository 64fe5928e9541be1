/**
 * Every node definition Kestrel ships, by executable name. The embedded container, `kestrel run`,
 * the per-node ROS 2 executables in lib/kestrel/ and `kestrel nodes` all read this one list.
 */
import type { NodeDefinition } from "../ros/definition";
import { robotFramesNode } from "../sim/node/frames-node";
import { simNode } from "../sim/node/sim-node";
import { controllerNode } from "./controller/node";
import { episodesNode } from "./episodes/node";
import { learnerNode } from "./learner/node/node";
import { perceptionNode } from "./perception/node";
import { plannerNode } from "./planner/node";
import { recorderNode } from "./recorder";
import { tourNode } from "./tour/node";

export const NODE_DEFINITIONS: ReadonlyArray<NodeDefinition<any>> = [simNode, perceptionNode, plannerNode, controllerNode, tourNode, episodesNode, recorderNode, learnerNode, robotFramesNode];
