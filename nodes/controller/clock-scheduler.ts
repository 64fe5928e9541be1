/**
 * An rxjs scheduler on a node's clock: delays are node-clock milliseconds (sim time when the
 * node has use_sim_time), so rxjs `timeout` and `timer` follow /clock like ROS timers do.
 */
import { Subscription, type SchedulerAction, type SchedulerLike } from "rxjs";
import type { RosNode, Timer } from "../../ros/node";
import { timeToNs } from "../../ros/time";

class NodeClockAction<T> extends Subscription implements SchedulerAction<T> {
  private timer: Timer | undefined;

  constructor(
    private readonly node: RosNode,
    private readonly work: (this: SchedulerAction<T>, state?: T) => void,
  ) {
    super();
    this.add(() => this.cancelTimer());
  }

  schedule(state?: T, delay = 0): Subscription {
    if (this.closed) return this;
    this.cancelTimer();
    try {
      this.timer = this.node.createTimer(Math.max(delay, 1e-3), () => {
        this.cancelTimer();
        this.work.call(this, state);
      });
    } catch {
      this.unsubscribe(); // the node is gone: nothing left to time
    }
    return this;
  }

  private cancelTimer(): void {
    this.timer?.cancel();
    this.timer = undefined;
  }
}

export function nodeClockScheduler(node: RosNode): SchedulerLike {
  return {
    now: () => Number(timeToNs(node.now())) / 1e6,
    schedule<T>(work: (this: SchedulerAction<T>, state?: T) => void, delay?: number, state?: T): Subscription {
      return new NodeClockAction<T>(node, work).schedule(state, delay);
    },
  };
}
