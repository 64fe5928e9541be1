/**
 * World exporter: a Kestrel World (sim/world/types.ts) as a self-contained SDF world for gz sim
 * Harmonic, with the same geometry the embedded simulator uses.
 *
 * - Every solid and detectable object becomes a static model named as in the world (contact
 *   reports name it): a box footprint → a box (pose at its centre and yaw), a cylinder → a
 *   cylinder, a polygon → an extruded `<polyline>` (SDF 1.9; extruded from z = 0 to its height,
 *   vertices in world coordinates under a model at the origin). Visuals carry the colour as
 *   material ambient and diffuse. Detectable objects also get gz-sim's Label system, so a gz
 *   bounding-box or segmentation camera reports their class (label = index in `classLabels`).
 * - A ground plane covering the bounds in the floor colour, a directional sun, 1 ms physics at
 *   real time, and the world systems Kestrel's robot needs (physics, user commands — which
 *   ros_gz_sim's `create` uses to spawn —, scene broadcaster, sensors with ogre2, contact).
 * - Optionally the robot at the world's first spawn pose, embedded (self-contained) or as an
 *   `<include>` of model://kestrel_bot (resolved locally through GZ_SIM_RESOURCE_PATH; nothing is
 *   fetched from Fuel). By default it is left out: gazebo.launch.xml spawns it with `create`.
 */
import type { DetectableObject, Rgb, Shape, Solid, World } from "../world/types";
import { TURTLEBOT3_LIKE, RobotSpec } from "../robot/spec";
import { robotModelElement, SDF_VERSION } from "./robot-sdf";
import { el, leaf, nums, renderDocument, XmlElement } from "./xml";

export interface WorldSdfOptions {
  /**
   * Where the robot comes from: "none" (default: spawn it, e.g. with ros_gz_sim create), "inline"
   * (its model embedded at the first spawn pose) or "include" (`<include>` of `robotUri`).
   */
  robot?: "none" | "inline" | "include";
  /** The robot to embed or include; default TURTLEBOT3_LIKE. */
  robotSpec?: RobotSpec;
  /** URI for robot: "include"; default `model://<robot name>`. */
  robotUri?: string;
  /** Physics step (s); default 0.001. */
  stepSize?: number;
  /** Target real-time factor; default 1 (0 runs as fast as possible). */
  realTimeFactor?: number;
  /** Rendering engine of the sensors system; default ogre2. */
  renderEngine?: string;
  /** Text for the comment at the top of the file (e.g. the source world file). */
  comment?: string;
}

/** Names Kestrel gives its own models; a world solid cannot use them. */
const RESERVED_MODEL_NAMES = ["ground_plane", "sun"];

/** A valid SDF entity name: non-empty, no "::" (scope separator), not starting with "__" (reserved). */
function checkName(what: string, name: string): void {
  if (name.trim() === "") throw new Error(`${what}: empty name`);
  if (name.includes("::")) throw new Error(`${what} '${name}': SDF names cannot contain '::'`);
  if (name.startsWith("__")) throw new Error(`${what} '${name}': SDF names starting with '__' are reserved`);
}

function finite(what: string, ...values: number[]): void {
  for (const v of values) if (!Number.isFinite(v)) throw new Error(`${what}: non-finite value ${v}`);
}

function material(c: Rgb): XmlElement {
  return el(
    "material",
    {},
    leaf("ambient", nums(c.r, c.g, c.b, 1)),
    leaf("diffuse", nums(c.r, c.g, c.b, 1)),
    leaf("specular", nums(0.1, 0.1, 0.1, 1)),
  );
}

/** The model pose and geometry of a prism footprint extruded to `height`. */
function prism(what: string, shape: Shape, height: number): { pose: number[]; geometry: XmlElement } {
  if (!(height > 0)) throw new Error(`${what}: height must be positive, got ${height}`);
  switch (shape.kind) {
    case "box":
      finite(what, shape.center.x, shape.center.y, shape.size.x, shape.size.y, shape.yaw);
      if (!(shape.size.x > 0 && shape.size.y > 0)) throw new Error(`${what}: box size must be positive`);
      return {
        pose: [shape.center.x, shape.center.y, height / 2, 0, 0, shape.yaw],
        geometry: el("geometry", {}, el("box", {}, leaf("size", nums(shape.size.x, shape.size.y, height)))),
      };
    case "cylinder":
      finite(what, shape.center.x, shape.center.y, shape.radius);
      if (!(shape.radius > 0)) throw new Error(`${what}: cylinder radius must be positive`);
      return {
        pose: [shape.center.x, shape.center.y, height / 2, 0, 0, 0],
        geometry: el("geometry", {}, el("cylinder", {}, leaf("radius", shape.radius), leaf("length", height))),
      };
    case "polygon": {
      if (shape.points.length < 3) throw new Error(`${what}: a polygon needs at least 3 points`);
      for (const p of shape.points) finite(what, p.x, p.y);
      return {
        pose: [0, 0, 0, 0, 0, 0],
        geometry: el(
          "geometry",
          {},
          el("polyline", {}, ...shape.points.map((p) => leaf("point", nums(p.x, p.y))), leaf("height", height)),
        ),
      };
    }
    default:
      throw new Error(`${what}: unknown shape kind '${(shape as { kind: string }).kind}'`);
  }
}

function solidModel(s: Solid, label?: number): XmlElement {
  const what = `solid '${s.name}'`;
  const { pose, geometry } = prism(what, s.shape, s.height);
  return el(
    "model",
    { name: s.name },
    leaf("static", true),
    leaf("pose", nums(...pose)),
    el(
      "link",
      { name: "link" },
      el("collision", { name: "collision" }, geometry),
      el("visual", { name: "visual" }, geometry, material(s.color)),
    ),
    label !== undefined
      ? el("plugin", { filename: "gz-sim-label-system", name: "gz::sim::systems::Label" }, leaf("label", label))
      : undefined,
  );
}

/** The class names of a world's objects in first-appearance order; an object's label is its index + 1 (0 is background). */
export function classLabels(world: World): string[] {
  const out: string[] = [];
  for (const o of world.objects) if (!out.includes(o.className)) out.push(o.className);
  return out;
}

function groundPlane(world: World): XmlElement {
  const { min, max } = world.bounds;
  const margin = 2;
  const sx = max.x - min.x + 2 * margin;
  const sy = max.y - min.y + 2 * margin;
  const plane = (): XmlElement => el("geometry", {}, el("plane", {}, leaf("normal", nums(0, 0, 1)), leaf("size", nums(sx, sy))));
  return el(
    "model",
    { name: "ground_plane" },
    leaf("static", true),
    leaf("pose", nums((min.x + max.x) / 2, (min.y + max.y) / 2, 0, 0, 0, 0)),
    el(
      "link",
      { name: "link" },
      el("collision", { name: "collision" }, plane()),
      el("visual", { name: "visual" }, plane(), material(world.floorColor)),
    ),
  );
}

function sun(): XmlElement {
  return el(
    "light",
    { type: "directional", name: "sun" },
    leaf("cast_shadows", true),
    leaf("pose", nums(0, 0, 10, 0, 0, 0)),
    leaf("diffuse", nums(0.8, 0.8, 0.8, 1)),
    leaf("specular", nums(0.2, 0.2, 0.2, 1)),
    el("attenuation", {}, leaf("range", 1000), leaf("constant", 0.9), leaf("linear", 0.01), leaf("quadratic", 0.001)),
    leaf("direction", nums(-0.5, 0.1, -0.9)),
  );
}

function worldPlugins(renderEngine: string): XmlElement[] {
  const p = (file: string, name: string, ...kids: XmlElement[]): XmlElement =>
    el("plugin", { filename: file, name: `gz::sim::systems::${name}` }, ...kids);
  return [
    p("gz-sim-physics-system", "Physics"),
    p("gz-sim-user-commands-system", "UserCommands"),
    p("gz-sim-scene-broadcaster-system", "SceneBroadcaster"),
    p("gz-sim-sensors-system", "Sensors", leaf("render_engine", renderEngine)),
    p("gz-sim-contact-system", "Contact"),
  ];
}

/** A world's name as an SDF world name (gz topics embed it: /world/<name>/...). */
export function sdfWorldName(world: World): string {
  const name = world.name.trim().replace(/[^A-Za-z0-9_-]+/g, "_");
  if (name === "" || name.startsWith("__")) throw new Error(`world name '${world.name}' cannot be an SDF world name`);
  return name;
}

/** The world as an SDF 1.9 document (see the module comment for what goes in). */
export function worldToSdf(world: World, options: WorldSdfOptions = {}): string {
  const spec = options.robotSpec ?? TURTLEBOT3_LIKE;
  const robot = options.robot ?? "none";
  const stepSize = options.stepSize ?? 0.001;
  const rtf = options.realTimeFactor ?? 1;
  if (!(stepSize > 0)) throw new Error(`stepSize must be positive, got ${stepSize}`);
  if (!(rtf >= 0)) throw new Error(`realTimeFactor must be >= 0, got ${rtf}`);
  const { min, max } = world.bounds;
  finite("world bounds", min.x, min.y, max.x, max.y);
  if (!(max.x > min.x && max.y > min.y)) throw new Error("world bounds: max must exceed min");

  const seen = new Set<string>(RESERVED_MODEL_NAMES);
  if (robot !== "none") seen.add(spec.name);
  const claim = (what: string, name: string): void => {
    checkName(what, name);
    if (seen.has(name)) throw new Error(`${what} '${name}': the model name is already used in this world`);
    seen.add(name);
  };
  for (const s of world.solids) claim("solid", s.name);
  for (const o of world.objects) claim("object", o.name);

  const labels = classLabels(world);
  const labelOf = (o: DetectableObject): number => labels.indexOf(o.className) + 1;

  let robotEl: XmlElement | undefined;
  if (robot !== "none") {
    const spawn = world.spawns[0];
    if (!spawn) throw new Error(`world '${world.name}' has no spawn pose to place the robot at`);
    finite("spawn pose", spawn.x, spawn.y, spawn.yaw);
    robotEl =
      robot === "inline"
        ? robotModelElement(spec, spawn)
        : el(
            "include",
            {},
            leaf("uri", options.robotUri ?? `model://${spec.name}`),
            leaf("name", spec.name),
            leaf("pose", nums(spawn.x, spawn.y, 0, 0, 0, spawn.yaw)),
          );
  }

  const doc = el(
    "sdf",
    { version: SDF_VERSION },
    el(
      "world",
      { name: sdfWorldName(world) },
      el("physics", { name: "1ms", type: "ignored" }, leaf("max_step_size", stepSize), leaf("real_time_factor", rtf)),
      worldPlugins(options.renderEngine ?? "ogre2"),
      leaf("gravity", nums(0, 0, -9.8)),
      el(
        "scene",
        {},
        leaf("ambient", nums(0.4, 0.4, 0.4, 1)),
        leaf("background", nums(0.7, 0.7, 0.7, 1)),
        leaf("shadows", true),
      ),
      sun(),
      groundPlane(world),
      world.solids.map((s) => solidModel(s)),
      world.objects.map((o) => solidModel(o, labelOf(o))),
      robotEl,
    ),
  );
  return renderDocument(doc, options.comment ?? `Kestrel world '${world.name}', exported by sim/gazebo/export.ts.`);
}
