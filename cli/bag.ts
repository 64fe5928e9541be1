/**
 * `kestrel bag info|play|record`: rosbag2 bags from the command line (ros/bag, nodes/recorder).
 *
 * - info PATH: what `ros2 bag info` prints (files, size, storage id, duration, start/end,
 *   messages, topics with type, count and serialization format), plus truncated files and
 *   channels that cannot be read.
 * - play PATH [--rate R] [--loop] [--topics T...]: publishes the bag into an embedded graph with
 *   /clock (rosgraph_msgs/Clock, the bag's time) at R times real time. playBag() is the API the
 *   launcher/bridge uses with its own transport; from the CLI it runs its own LocalTransport.
 * - record [-o DIR] [TOPIC...] [--all] --launch FILE [name:=value...] [--duration S]
 *   [--compression zstd|lz4|none] [--max-bag-size MB] [--max-bag-duration S]: starts the launch
 *   file's kestrel nodes in this process and the recorder beside them.
 */
import * as path from "node:path";
import { LocalTransport } from "../ros/transport/local/backend";
import type { Transport } from "../ros/transport/transport";
import { RosNode, type MessageTypeName, type Publisher } from "../ros/node";
import { bagInfoText, openBag, type BagReader } from "../ros/bag";
import { QOS_DEFAULT, type QosProfile } from "../ros/qos";
import { timeFromNs } from "../ros/time";
import { Logger } from "../ros/logger";
import { recorderNode, type RecorderInstance } from "../nodes/recorder";
import { NODE_DEFINITIONS } from "../nodes/registry";
import { parseDurationS, waitForStop } from "./lifetime";
import { parseLaunchArguments, startLaunch } from "./launch";

export const BAG_HELP = `Usage: kestrel bag <info|play|record> ...

  bag info PATH                      topics, types, counts, duration (like 'ros2 bag info')
  bag play PATH [--rate R] [--loop] [--topics T ...]
                                     publish the bag into the embedded graph with /clock
  bag record --launch FILE [name:=value ...] [-o DIR] [TOPIC ...] [--all] [--duration S]
             [--compression zstd|lz4|none] [--max-bag-size MB] [--max-bag-duration S]
                                     run a launch file's nodes and record them (MCAP)

PATH is a bag directory (metadata.yaml + .mcap/.db3 files) or a single .mcap/.db3 file.
`;

export interface PlayOptions {
  /** Playback speed factor (1 = real time). */
  rate?: number;
  loop?: boolean;
  topics?: readonly string[];
  /** Publish /clock (default true). */
  clock?: boolean;
  logger?: Logger;
}

export interface Playback {
  /** Resolves when playback ends (not before stop() with --loop). */
  done: Promise<{ published: number }>;
  stop(): void;
}

/**
 * Plays a bag into `transport`: one publisher per readable topic with its recorded QoS (the first
 * offered profile), messages at their recorded log-time spacing divided by `rate`, /clock set to
 * each message's log time before it is published.
 */
export async function playBag(transport: Transport, bagPath: string, options: PlayOptions = {}): Promise<Playback> {
  const rate = options.rate ?? 1;
  if (!(rate > 0) || !Number.isFinite(rate)) throw new Error(`--rate: expected a positive number, found ${rate}`);
  const bag = await openBag(bagPath, { decode: true });
  for (const p of bag.problems) (options.logger ?? new Logger({ name: "kestrel.bag" })).warn(`not played: ${p.topic} (${p.type}): ${p.reason}`);
  const node = new RosNode(transport.createNode({ name: "rosbag2_player", namespace: "", rosArgs: [] }));
  const wanted = options.topics ? new Set(options.topics) : undefined;
  const publishers = new Map<string, Publisher<unknown>>();
  for (const t of bag.info.topics) {
    if (!t.readable || (wanted && !wanted.has(t.name))) continue;
    const offered: QosProfile = t.offeredQos[0] ?? QOS_DEFAULT;
    const qos: QosProfile = { ...QOS_DEFAULT, reliability: offered.reliability === "best_effort" ? "best_effort" : "reliable", durability: offered.durability === "transient_local" ? "transient_local" : "volatile", depth: Math.max(1, offered.depth || 10) };
    publishers.set(t.name, node.createPublisher(t.type as MessageTypeName, t.name, qos) as Publisher<unknown>);
  }
  const clock = options.clock === false ? undefined : node.createPublisher("rosgraph_msgs/msg/Clock", "/clock", { reliability: "best_effort", depth: 1 });
  let stopped = false;
  let wake: (() => void) | undefined;
  const sleep = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const t = setTimeout(() => { wake = undefined; resolve(); }, ms);
      wake = () => { clearTimeout(t); wake = undefined; resolve(); };
    });
  const run = async (): Promise<{ published: number }> => {
    let published = 0;
    do {
      const startWall = Date.now();
      let startBag: bigint | undefined;
      for await (const m of playOrder(bag, wanted)) {
        if (stopped) break;
        const pub = publishers.get(m.topic);
        if (!pub || m.decoded === undefined) continue;
        startBag ??= m.logTimeNs;
        const dueMs = Number(m.logTimeNs - startBag) / 1e6 / rate;
        const waitMs = startWall + dueMs - Date.now();
        if (waitMs > 1) await sleep(waitMs);
        if (stopped) break;
        clock?.publish({ clock: timeFromNs(m.logTimeNs) });
        pub.publish(m.decoded);
        published++;
      }
    } while (options.loop === true && !stopped);
    node.destroy();
    return { published };
  };
  const done = run();
  return {
    done,
    stop: () => {
      stopped = true;
      wake?.();
    },
  };
}

async function* playOrder(bag: BagReader, wanted: Set<string> | undefined) {
  yield* bag.messages(wanted ? { topics: [...wanted] } : undefined);
}

function takeFlags(argv: string[], valued: Record<string, string>, flags: string[]): { opts: Record<string, string | true>; multi: Record<string, string[]>; rest: string[] } {
  const opts: Record<string, string | true> = {};
  const multi: Record<string, string[]> = {};
  const rest: string[] = [];
  let collecting: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const name = valued[arg];
    if (name) {
      const value = argv[++i];
      if (value === undefined) throw new Error(`${arg}: expected a value`);
      opts[name] = value;
      collecting = undefined;
    } else if (flags.includes(arg)) {
      opts[arg] = true;
      collecting = arg === "--topics" ? arg : undefined;
      if (collecting) multi[collecting] = [];
    } else if (arg.startsWith("-") && arg !== "-") throw new Error(`unknown option '${arg}' (see kestrel bag --help)`);
    else if (collecting) multi[collecting]!.push(arg);
    else rest.push(arg);
  }
  return { opts, multi, rest };
}

/** `kestrel bag ...`; returns the exit status. */
export async function bagCommand(argv: string[]): Promise<number> {
  const [verb, ...rest] = argv;
  if (verb === undefined || verb === "--help" || verb === "-h" || rest.includes("--help") || rest.includes("-h")) {
    process.stdout.write(BAG_HELP);
    return verb === undefined ? 1 : 0;
  }
  switch (verb) {
    case "info": {
      const [target] = rest;
      if (!target || rest.length !== 1) throw new Error("bag info: expected one bag path (see kestrel bag --help)");
      const bag = await openBag(target);
      process.stdout.write(bagInfoText(bag.info, bag.problems));
      return 0;
    }
    case "play": {
      const { opts, multi, rest: positional } = takeFlags(rest, { "--rate": "rate", "-r": "rate" }, ["--loop", "--topics"]);
      const [target] = positional;
      if (!target || positional.length !== 1) throw new Error("bag play: expected one bag path (see kestrel bag --help)");
      const rate = opts.rate === undefined ? 1 : Number(opts.rate);
      const transport = new LocalTransport();
      const logger = new Logger({ name: "kestrel.bag" });
      const playback = await playBag(transport, target, { rate, loop: opts["--loop"] === true, ...(multi["--topics"] ? { topics: multi["--topics"] } : {}), logger });
      const stop = waitForStop().then(() => playback.stop());
      void stop;
      const { published } = await playback.done;
      logger.info(`played ${published} message(s) from ${target}`);
      await transport.shutdown();
      return 0;
    }
    case "record": {
      const { opts, rest: positional } = takeFlags(
        rest,
        { "-o": "out", "--output": "out", "--launch": "launch", "--duration": "duration", "--compression": "compression", "--max-bag-size": "size", "--max-bag-duration": "bagDuration" },
        ["--all"],
      );
      const launchArgs = positional.filter((a) => a.includes(":="));
      const topics = positional.filter((a) => !a.includes(":="));
      if (typeof opts.launch !== "string") {
        throw new Error("bag record: nothing to record in this process without nodes: give --launch FILE (the embedded graph of that launch file is recorded)");
      }
      if (topics.length === 0 && opts["--all"] !== true) throw new Error("bag record: give topics to record, or --all");
      const durationS = parseDurationS(opts.duration as string | undefined);
      const logger = new Logger({ name: "kestrel.bag" });
      const transport = new LocalTransport();
      const registry = NODE_DEFINITIONS.some((d) => d.name === "recorder") ? NODE_DEFINITIONS : [...NODE_DEFINITIONS, recorderNode];
      const { container } = await startLaunch({ file: opts.launch, args: parseLaunchArguments(launchArgs), transport, registry, logger });
      const out = typeof opts.out === "string" ? opts.out : "";
      const params: string[] = [
        ...(out ? ["-p", `output_dir:=${path.dirname(path.resolve(out))}`, "-p", `bag_name:=${path.basename(out)}`] : []),
        ...(topics.length > 0 && opts["--all"] !== true ? ["-p", `topics:=[${topics.map((t) => JSON.stringify(t)).join(",")}]`] : ["-p", "all:=true"]),
        ...(typeof opts.compression === "string" ? ["-p", `compression:=${opts.compression}`] : []),
        ...(typeof opts.size === "string" ? ["-p", `max_bag_size_mb:=${Number(opts.size)}`] : []),
        ...(typeof opts.bagDuration === "string" ? ["-p", `max_bag_duration_s:=${Number(opts.bagDuration)}`] : []),
      ];
      const loaded = await container.load({ exec: "recorder", rosArgs: ["--ros-args", ...params], source: "kestrel bag record" });
      if (loaded.status === "failed") {
        await container.shutdown();
        return 1;
      }
      const recorder = loaded.instance as RecorderInstance;
      logger.info(`recording to ${recorder.bagPath}${durationS ? ` for ${durationS} s` : ""}; Ctrl-C to stop`);
      await waitForStop(durationS === undefined ? {} : { durationS });
      const summary = recorder.summary?.() ?? "";
      await container.shutdown();
      process.stdout.write(`${summary}\n`);
      return 0;
    }
    default:
      throw new Error(`bag: unknown verb '${verb}' (expected info, play or record)`);
  }
}
