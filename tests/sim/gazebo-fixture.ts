/** A small hand-built world with every shape kind, for the Gazebo exporter tests. */
import type { World } from "../../sim/world/types";

export function fixtureWorld(): World {
  return {
    name: "fixture room",
    bounds: { min: { x: -1, y: -2 }, max: { x: 5, y: 4 } },
    enclosed: false,
    floorColor: { r: 0.6, g: 0.6, b: 0.55 },
    solids: [
      { name: "wall_a", shape: { kind: "box", center: { x: 2, y: 3.9 }, size: { x: 6, y: 0.2 }, yaw: 0 }, height: 2.5, color: { r: 0.9, g: 0.9, b: 0.9 } },
      { name: "crate", shape: { kind: "box", center: { x: 3, y: 1 }, size: { x: 0.5, y: 1 }, yaw: Math.PI / 6 }, height: 0.8, color: { r: 0.5, g: 0.35, b: 0.2 } },
      { name: "pillar", shape: { kind: "cylinder", center: { x: -0.5, y: 2 }, radius: 0.25 }, height: 3, color: { r: 0.7, g: 0.7, b: 0.7 } },
      {
        name: "counter",
        shape: { kind: "polygon", points: [{ x: 4, y: -1.5 }, { x: 4.8, y: -1.5 }, { x: 4.8, y: 0.5 }, { x: 4.4, y: 0.5 }] },
        height: 0.9,
        color: { r: 0.3, g: 0.3, b: 0.35 },
      },
    ],
    objects: [
      { name: "person_1", className: "person", shape: { kind: "cylinder", center: { x: 1, y: 2 }, radius: 0.2 }, height: 1.7, color: { r: 0.8, g: 0.2, b: 0.2 } },
      { name: "chair_1", className: "chair", shape: { kind: "box", center: { x: 2, y: -1 }, size: { x: 0.45, y: 0.45 }, yaw: 0.3 }, height: 0.9, color: { r: 0.1, g: 0.3, b: 0.8 } },
      { name: "person_2", className: "person", shape: { kind: "cylinder", center: { x: 4, y: 3 }, radius: 0.2 }, height: 1.6, color: { r: 0.2, g: 0.7, b: 0.2 } },
    ],
    spawns: [{ x: 0.5, y: -0.5, yaw: Math.PI / 2 }],
    goals: [{ name: "door", center: { x: 4, y: 2 }, radius: 0.3 }],
  };
}

// ---- small DOM helpers over @xmldom/xmldom (the project compiles without the DOM lib) ----
import { DOMParser } from "@xmldom/xmldom";

export interface Xml {
  tagName: string;
  getAttribute(name: string): string | null;
  childNodes: { length: number; [i: number]: { nodeType: number } };
  textContent: string | null;
}

export function parseXml(text: string): Xml {
  const errors: string[] = [];
  const doc = new DOMParser({
    onError: (level: string, msg: string) => {
      if (level !== "warning") errors.push(msg);
    },
  }).parseFromString(text, "text/xml");
  if (errors.length) throw new Error(`malformed XML: ${errors.join("; ")}`);
  return doc.documentElement as unknown as Xml;
}

/** Element children, optionally of one tag. */
export function kids(e: Xml, tag?: string): Xml[] {
  const out: Xml[] = [];
  for (let i = 0; i < e.childNodes.length; i++) {
    const n = e.childNodes[i]!;
    if (n.nodeType === 1 && (tag === undefined || (n as unknown as Xml).tagName === tag)) out.push(n as unknown as Xml);
  }
  return out;
}

/** The element at a "/"-separated path of tags (first match at each step); `name=x` selects by name attribute: "link[laser]/sensor". */
export function at(e: Xml, pathSpec: string): Xml {
  let cur = e;
  for (const step of pathSpec.split("/")) {
    const m = /^([\w:-]+)(?:\[(.+)\])?$/.exec(step);
    if (!m) throw new Error(`bad path step ${step}`);
    const found = kids(cur, m[1]).find((k) => m[2] === undefined || k.getAttribute("name") === m[2]);
    if (!found) throw new Error(`no <${step}> under <${cur.tagName}${cur.getAttribute("name") ? ` name=${cur.getAttribute("name")}` : ""}> (path ${pathSpec})`);
    cur = found;
  }
  return cur;
}

export function textAt(e: Xml, pathSpec: string): string {
  return (at(e, pathSpec).textContent ?? "").trim();
}

export function numbersAt(e: Xml, pathSpec: string): number[] {
  return textAt(e, pathSpec).split(/\s+/).map(Number);
}
