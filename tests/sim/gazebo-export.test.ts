import { worldToSdf, classLabels, sdfWorldName } from "../../sim/gazebo/export";
import { TURTLEBOT3_LIKE } from "../../sim/robot/spec";
import type { World } from "../../sim/world/types";
import { at, fixtureWorld, kids, numbersAt, parseXml, textAt, Xml } from "./gazebo-fixture";

const world = (w: World = fixtureWorld(), o: Parameters<typeof worldToSdf>[1] = {}): Xml => at(parseXml(worldToSdf(w, o)), "world");
const close = (a: number[], b: number[]): void => {
  expect(a).toHaveLength(b.length);
  a.forEach((v, i) => expect(v).toBeCloseTo(b[i]!, 6));
};

describe("worldToSdf", () => {
  it("writes an SDF 1.9 world named after the world (made a valid gz name)", () => {
    const root = parseXml(worldToSdf(fixtureWorld()));
    expect(root.getAttribute("version")).toBe("1.9");
    expect(at(root, "world").getAttribute("name")).toBe("fixture_room");
    expect(sdfWorldName({ ...fixtureWorld(), name: "office" })).toBe("office");
  });

  it("turns every solid and object into one static model named as in the world", () => {
    const w = world();
    const names = kids(w, "model").map((m) => m.getAttribute("name"));
    expect(names).toEqual(["ground_plane", "wall_a", "crate", "pillar", "counter", "person_1", "chair_1", "person_2"]);
    for (const m of kids(w, "model")) expect(textAt(m, "static")).toBe("true");
  });

  it("exports a box footprint as a box at its centre and yaw, half its height up", () => {
    const m = at(world(), "model[crate]");
    close(numbersAt(m, "pose"), [3, 1, 0.4, 0, 0, Math.PI / 6]);
    close(numbersAt(m, "link/collision/geometry/box/size"), [0.5, 1, 0.8]);
    close(numbersAt(m, "link/visual/geometry/box/size"), [0.5, 1, 0.8]);
  });

  it("exports a cylinder as a cylinder of the same radius and height", () => {
    const m = at(world(), "model[pillar]");
    close(numbersAt(m, "pose"), [-0.5, 2, 1.5, 0, 0, 0]);
    expect(Number(textAt(m, "link/collision/geometry/cylinder/radius"))).toBe(0.25);
    expect(Number(textAt(m, "link/collision/geometry/cylinder/length"))).toBe(3);
  });

  it("exports a polygon as a polyline extruded from the floor, vertices in world coordinates", () => {
    const m = at(world(), "model[counter]");
    close(numbersAt(m, "pose"), [0, 0, 0, 0, 0, 0]);
    for (const part of ["collision", "visual"]) {
      const g = at(m, `link/${part}/geometry/polyline`);
      expect(kids(g, "point").map((p) => (p.textContent ?? "").trim())).toEqual(["4 -1.5", "4.8 -1.5", "4.8 0.5", "4.4 0.5"]);
      expect(Number(textAt(g, "height"))).toBe(0.9);
    }
  });

  it("colours each visual with the world colour as material ambient and diffuse", () => {
    const m = at(world(), "model[person_1]");
    close(numbersAt(m, "link/visual/material/ambient"), [0.8, 0.2, 0.2, 1]);
    close(numbersAt(m, "link/visual/material/diffuse"), [0.8, 0.2, 0.2, 1]);
    close(numbersAt(at(world(), "model[wall_a]"), "link/visual/material/diffuse"), [0.9, 0.9, 0.9, 1]);
  });

  it("labels detectable objects by class (gz-sim-label-system), and only them", () => {
    expect(classLabels(fixtureWorld())).toEqual(["person", "chair"]);
    const label = (name: string): string | undefined => {
      const p = kids(at(world(), `model[${name}]`), "plugin")[0];
      return p ? textAt(p, "label") : undefined;
    };
    expect(label("person_1")).toBe("1");
    expect(label("chair_1")).toBe("2");
    expect(label("person_2")).toBe("1");
    expect(label("crate")).toBeUndefined();
  });

  it("adds a ground plane over the bounds in the floor colour, a sun, and 1 ms real-time physics", () => {
    const w = world();
    const g = at(w, "model[ground_plane]");
    close(numbersAt(g, "pose"), [2, 1, 0, 0, 0, 0]);
    expect(numbersAt(g, "link/collision/geometry/plane/normal")).toEqual([0, 0, 1]);
    const [sx, sy] = numbersAt(g, "link/visual/geometry/plane/size");
    expect(sx).toBeGreaterThanOrEqual(6);
    expect(sy).toBeGreaterThanOrEqual(6);
    close(numbersAt(g, "link/visual/material/diffuse"), [0.6, 0.6, 0.55, 1]);
    const sun = at(w, "light[sun]");
    expect(sun.getAttribute("type")).toBe("directional");
    expect(numbersAt(sun, "direction")[2]).toBeLessThan(0);
    expect(Number(textAt(w, "physics/max_step_size"))).toBe(0.001);
    expect(Number(textAt(w, "physics/real_time_factor"))).toBe(1);
    expect(Number(textAt(world(fixtureWorld(), { stepSize: 0.004, realTimeFactor: 0 }), "physics/max_step_size"))).toBe(0.004);
  });

  it("loads the world systems the robot needs: physics, user commands, scene broadcaster, sensors on ogre2, contact", () => {
    const w = world();
    const plugins = kids(w, "plugin").map((p) => [p.getAttribute("filename"), p.getAttribute("name")]);
    expect(plugins).toEqual([
      ["gz-sim-physics-system", "gz::sim::systems::Physics"],
      ["gz-sim-user-commands-system", "gz::sim::systems::UserCommands"],
      ["gz-sim-scene-broadcaster-system", "gz::sim::systems::SceneBroadcaster"],
      ["gz-sim-sensors-system", "gz::sim::systems::Sensors"],
      ["gz-sim-contact-system", "gz::sim::systems::Contact"],
    ]);
    expect(textAt(kids(w, "plugin")[3]!, "render_engine")).toBe("ogre2");
  });

  it("leaves the robot out by default (the launch file spawns it)", () => {
    expect(kids(world(), "model").map((m) => m.getAttribute("name"))).not.toContain("kestrel_bot");
    expect(kids(world(), "include")).toHaveLength(0);
  });

  it("embeds the robot at the first spawn pose with robot: inline", () => {
    const m = at(world(fixtureWorld(), { robot: "inline" }), "model[kestrel_bot]");
    close(numbersAt(m, "pose"), [0.5, -0.5, 0, 0, 0, Math.PI / 2]);
    expect(kids(m, "plugin").map((p) => p.getAttribute("filename"))).toContain("gz-sim-diff-drive-system");
  });

  it("includes model://kestrel_bot at the first spawn pose with robot: include (a local model path, not Fuel)", () => {
    const inc = at(world(fixtureWorld(), { robot: "include" }), "include");
    expect(textAt(inc, "uri")).toBe(`model://${TURTLEBOT3_LIKE.name}`);
    expect(textAt(inc, "name")).toBe("kestrel_bot");
    close(numbersAt(inc, "pose"), [0.5, -0.5, 0, 0, 0, Math.PI / 2]);
  });

  it("is self-contained by default: no URIs, nothing to fetch", () => {
    expect(worldToSdf(fixtureWorld(), { robot: "inline" })).not.toMatch(/<uri>|https?:\/\/|fuel/i);
  });

  it("rejects worlds that cannot become valid SDF, naming the offender", () => {
    const w = fixtureWorld();
    expect(() => worldToSdf({ ...w, objects: [...w.objects, { ...w.objects[0]!, name: "crate" }] })).toThrow(/object 'crate'.*already used/);
    expect(() => worldToSdf({ ...w, solids: [{ ...w.solids[0]!, name: "ground_plane" }] })).toThrow(/ground_plane/);
    expect(() => worldToSdf({ ...w, solids: [{ ...w.solids[0]!, name: "a::b" }] })).toThrow(/'a::b'.*::/);
    expect(() => worldToSdf({ ...w, solids: [{ ...w.solids[0]!, height: 0 }] })).toThrow(/wall_a.*height/);
    expect(() => worldToSdf({ ...w, solids: [{ ...w.solids[3]!, shape: { kind: "polygon", points: [{ x: 0, y: 0 }, { x: 1, y: 0 }] } }] })).toThrow(/counter.*3 points/);
    expect(() => worldToSdf({ ...w, solids: [{ ...w.solids[1]!, shape: { kind: "box", center: { x: NaN, y: 0 }, size: { x: 1, y: 1 }, yaw: 0 } }] })).toThrow(/crate.*non-finite/);
    expect(() => worldToSdf({ ...w, spawns: [] }, { robot: "inline" })).toThrow(/no spawn/);
    expect(() => worldToSdf({ ...w, solids: [{ ...w.solids[0]!, name: "kestrel_bot" }] }, { robot: "inline" })).toThrow(/kestrel_bot/);
  });

  it("escapes names for XML", () => {
    const w = fixtureWorld();
    const text = worldToSdf({ ...w, solids: [{ ...w.solids[0]!, name: 'a<b>&"c' }], objects: [] });
    expect(at(parseXml(text), "world/model[a<b>&\"c]").getAttribute("name")).toBe('a<b>&"c');
  });
});
