import * as fs from "fs";
import * as path from "path";
import { circleCollides, compileScene } from "../../sim/geometry";
import { loadWorld, parseWorld, worldFromMovingAiMap, WorldFileError, type World } from "../../sim/world";
import { sharedData } from "../support/shared-data";

const WORLDS_DIR = path.resolve(__dirname, "../../sim/worlds");

/** Grid search over disc centres (step 0.1 m): can a disc of `radius` go from `from` to `to`? */
function discCanTravel(world: World, from: { x: number; y: number }, to: { x: number; y: number }, radius: number): boolean {
  const scene = compileScene(world);
  const step = 0.1;
  const { min, max } = world.bounds;
  const cols = Math.round((max.x - min.x) / step);
  const rows = Math.round((max.y - min.y) / step);
  const cellOf = (p: { x: number; y: number }): number => Math.floor((p.y - min.y) / step) * cols + Math.floor((p.x - min.x) / step);
  const free = (i: number): boolean => circleCollides(scene, min.x + ((i % cols) + 0.5) * step, min.y + (Math.floor(i / cols) + 0.5) * step, radius) < 0;
  const seen = new Uint8Array(cols * rows);
  const start = cellOf(from);
  const goal = cellOf(to);
  const queue = [start];
  seen[start] = 1;
  while (queue.length) {
    const i = queue.pop() as number;
    if (i === goal) return true;
    const c = i % cols;
    for (const j of [c > 0 ? i - 1 : -1, c < cols - 1 ? i + 1 : -1, i - cols, i + cols]) {
      if (j < 0 || j >= cols * rows || seen[j]) continue;
      seen[j] = 1;
      if (free(j)) queue.push(j);
    }
  }
  return false;
}

describe("shipped worlds", () => {
  it.each([
    // [file, expected name, width (m), height (m)]
    ["office.yaml", "office", 20, 12],
    ["warehouse.yaml", "warehouse", 24, 16],
    ["cluttered.yaml", "cluttered", 12, 12],
  ])("%s loads with 4-8 distinctly coloured COCO objects, spawns and goals", (file, name, w, h) => {
    const world = loadWorld(path.join(WORLDS_DIR, file));
    expect(world.name).toBe(name);
    expect(world.bounds.max.x - world.bounds.min.x).toBe(w);
    expect(world.bounds.max.y - world.bounds.min.y).toBe(h);
    expect(world.enclosed).toBe(true);
    expect(world.solids.filter((s) => s.name.startsWith("boundary_"))).toHaveLength(4);
    expect(world.objects.length).toBeGreaterThanOrEqual(4);
    expect(world.objects.length).toBeLessThanOrEqual(8);
    const colours = new Set(world.objects.map((o) => `${o.color.r},${o.color.g},${o.color.b}`));
    expect(colours.size).toBe(world.objects.length);
    expect(world.spawns.length).toBeGreaterThan(0);
    expect(world.goals.length).toBeGreaterThan(0);
  });

  it.each(["office.yaml", "warehouse.yaml", "cluttered.yaml"])(
    "%s: a 0.8 m wide disc can reach every goal from the first spawn (doors and aisles >= 0.8 m)",
    (file) => {
      const world = loadWorld(path.join(WORLDS_DIR, file));
      for (const goal of world.goals) expect([goal.name, discCanTravel(world, world.spawns[0], goal.center, 0.4)]).toEqual([goal.name, true]);
    },
  );
});

/** A valid minimal world; each broken case below patches one line of it. */
const VALID = `
name: t
bounds: { min: { x: 0, y: 0 }, max: { x: 10, y: 10 } }
solids:
  - { name: a, shape: { kind: box, center: { x: 5, y: 5 }, size: { x: 1, y: 1 } }, height: 1 }
  - { name: b, shape: { kind: cylinder, center: { x: 2, y: 8 }, radius: 0.5 }, height: 1 }
  - { name: c, shape: { kind: polygon, points: [{ x: 8, y: 8 }, { x: 9, y: 8 }, { x: 9, y: 9 }] }, height: 1 }
  - { name: d, shape: { kind: box, center: { x: 8, y: 2 }, size: { x: 1, y: 2 } }, height: 1 }
spawns: [{ x: 1, y: 1, yaw: 0 }]
goals: [{ name: g, center: { x: 9, y: 5 }, radius: 0.5 }]
`;

describe("parseWorld", () => {
  it("accepts the valid fixture, applying defaults", () => {
    const world = parseWorld(VALID, { file: "ok.yaml" });
    expect(world.enclosed).toBe(false);
    expect(world.solids.map((s) => s.name)).toEqual(["a", "b", "c", "d"]);
    expect(world.solids[0].shape).toEqual({ kind: "box", center: { x: 5, y: 5 }, size: { x: 1, y: 1 }, yaw: 0 });
  });

  it("adds four boundary walls outside the bounds when enclosed", () => {
    const world = parseWorld(VALID.replace("solids:", "enclosed: true\nsolids:"), { file: "e.yaml" });
    expect(world.solids).toHaveLength(8);
    const scene = compileScene(world);
    expect(circleCollides(scene, 0.2, 5, 0.19)).toBe(-1); // the bounds themselves stay free
    expect(circleCollides(scene, 0.05, 5, 0.1)).toBe(scene.owners.findIndex((o) => o.name === "boundary_west"));
  });

  it("turns a wall shorthand into a rotated box", () => {
    const world = parseWorld(VALID.replace("solids:", "walls:\n  - { name: w, from: { x: 1, y: 3 }, to: { x: 4, y: 6 }, thickness: 0.2, height: 2 }\nsolids:"), { file: "w.yaml" });
    expect(world.solids[0].shape).toEqual({ kind: "box", center: { x: 2.5, y: 4.5 }, size: { x: Math.hypot(3, 3), y: 0.2 }, yaw: Math.PI / 4 });
  });

  it.each([
    // [what is broken, text replaced, replacement, expected "pointer: detail"]
    ["a negative box size", "size: { x: 1, y: 2 }", "size: { x: -1, y: 2 }", "/solids/3/shape/size/x: expected a number > 0, found -1"],
    ["a string where a number belongs", "radius: 0.5 }, height", 'radius: "big" }, height', '/solids/1/shape/radius: expected a number, found "big"'],
    ["an unknown shape kind", "kind: cylinder", "kind: sphere", '/solids/1/shape/kind: expected one of box, cylinder, polygon, found "sphere"'],
    ["a missing height", "radius: 0.5 }, height: 1 }", "radius: 0.5 } }", "/solids/1/height: missing required field"],
    ["an unknown field", "name: t", "name: t\ngravity: 9.8", "/gravity: unknown field"],
    ["a two-point polygon", "{ x: 9, y: 8 }, { x: 9, y: 9 }]", "{ x: 9, y: 8 }]", "/solids/2/shape/points: expected at least 3 items, found a list of 2"],
    ["a bad colour", "radius: 0.5 }, height: 1 }", 'radius: 0.5 }, height: 1, color: "red" }', '/solids/1/color: expected a colour "#rrggbb", found "red"'],
    ["a self-intersecting polygon", "[{ x: 8, y: 8 }, { x: 9, y: 8 }, { x: 9, y: 9 }]", "[{ x: 8, y: 8 }, { x: 9, y: 9 }, { x: 9, y: 8 }, { x: 8, y: 9 }]", "/solids/2/shape/points: polygon is not simple: edges 0 and 2 cross"],
    ["a duplicate name", "name: d,", "name: a,", '/solids/3/name: duplicate name "a" (also at /solids/0)'],
    ["a spawn outside the bounds", "x: 1, y: 1, yaw", "x: 11, y: 1, yaw", "/spawns/0: spawn (11, 1) lies outside the bounds"],
    ["a spawn inside a solid", "x: 1, y: 1, yaw", "x: 5.1, y: 5.2, yaw", '/spawns/0: spawn (5.1, 5.2) lies inside "a"'],
    ["a spawn too close to a solid", "x: 1, y: 1, yaw", "x: 4.45, y: 5, yaw", '/spawns/0: spawn (4.45, 5) is within 0.105 m of "a"'],
    ["inverted bounds", "max: { x: 10, y: 10 }", "max: { x: 10, y: -10 }", "/bounds/max/y: expected a number > bounds.min.y (0), found -10"],
    ["no spawns", "spawns: [{ x: 1, y: 1, yaw: 0 }]", "spawns: []", "/spawns: expected at least 1 items, found a list of 0"],
    ["a goal outside the bounds", "center: { x: 9, y: 5 }, radius: 0.5 }]", "center: { x: 19, y: 5 }, radius: 0.5 }]", "/goals/0/center: goal centre (19, 5) lies outside the bounds"],
    ["invalid YAML", "name: t", "name: [t", "/: invalid YAML: "],
  ])("rejects %s with the file and the JSON path", (_what, from, to, expected) => {
    const text = VALID.replace(from, to);
    expect(text).not.toBe(VALID);
    let error: unknown;
    try {
      parseWorld(text, { file: "sim/worlds/broken.yaml" });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(WorldFileError);
    const prefix = `sim/worlds/broken.yaml: ${expected}`;
    expect((error as Error).message.slice(0, prefix.length)).toBe(prefix);
  });

  it("names the file when it cannot be read", () => {
    expect(() => loadWorld("/nonexistent/world.yaml")).toThrow(/^\/nonexistent\/world.yaml: \/: cannot read the file/);
  });
});

describe("worldFromMovingAiMap", () => {
  const text = fs.readFileSync(sharedData("movingai", "arena2.map"), "utf8");

  it("converts a tiny map exactly: row 0 is the top, runs merge into rectangles", () => {
    // 4 wide, 3 high, cell 0.5 m: a 2x2 block top-left and a single cell bottom-right.
    const tiny = "type octile\nheight 3\nwidth 4\nmap\n@@..\n@@..\n...T\n";
    const world = worldFromMovingAiMap(tiny, { cellSizeM: 0.5, name: "tiny", clearanceM: 0.1 });
    expect(world.bounds).toEqual({ min: { x: 0, y: 0 }, max: { x: 2, y: 1.5 } });
    const blocks = world.solids.filter((s) => s.name.startsWith("block_")).map((s) => s.shape);
    expect(blocks).toEqual([
      { kind: "box", center: { x: 0.5, y: 1.0 }, size: { x: 1, y: 1 }, yaw: 0 },
      { kind: "box", center: { x: 1.75, y: 0.25 }, size: { x: 0.5, y: 0.5 }, yaw: 0 },
    ]);
  });

  it("turns arena2.map (281x209) into far fewer boxes than blocked cells, with a free spawn and a goal", () => {
    const world = worldFromMovingAiMap(text, { cellSizeM: 0.25, name: "arena2" });
    expect(world.bounds.max).toEqual({ x: 281 * 0.25, y: 209 * 0.25 });
    const blockedCells = text.split("\n").slice(4).join("").replace(/[^@OTW]/g, "").length;
    const boxes = world.solids.filter((s) => s.name.startsWith("block_"));
    const area = boxes.reduce((a, s) => a + (s.shape.kind === "box" ? s.shape.size.x * s.shape.size.y : 0), 0);
    expect(area).toBeCloseTo(blockedCells * 0.0625, 6); // the rectangles tile exactly the blocked cells
    expect(boxes.length).toBeLessThan(blockedCells / 10);
    const scene = compileScene(world);
    const spawn = world.spawns[0];
    expect(circleCollides(scene, spawn.x, spawn.y, 0.105)).toBe(-1);
    const goal = world.goals[0];
    expect(circleCollides(scene, goal.center.x, goal.center.y, 0.105)).toBe(-1);
    expect(Math.hypot(goal.center.x - spawn.x, goal.center.y - spawn.y)).toBeGreaterThan(5);
  });

  it("maps file cells to the right places: the top-left cell of arena2 is blocked, at max y", () => {
    const world = worldFromMovingAiMap(text, { cellSizeM: 1, name: "arena2" });
    const scene = compileScene(world);
    expect(circleCollides(scene, 0.5, 209 - 0.5, 0.1)).toBeGreaterThanOrEqual(0);
    // Row 2 (third line), column 91 is '.' in the file: free.
    expect(circleCollides(scene, 91.5, 209 - 2.5, 0.1)).toBe(-1);
  });

  it("rejects a malformed map with the line", () => {
    expect(() => worldFromMovingAiMap("type octile\nheight 2\nwidth 2\nmap\n..\n.x\n", { cellSizeM: 1, name: "bad" })).toThrow(/line 6, column 2/);
  });
});
