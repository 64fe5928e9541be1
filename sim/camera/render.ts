/**
 * The camera renderer: one ray per image column, exact for vertical prisms seen by a level camera.
 *
 * For a level pinhole camera every image column is one vertical plane through the optical centre,
 * and in that plane the world is a height profile along the ray: 0 (floor) where the ray is in no
 * solid, the prism height where it is inside one (the tallest, where solids overlap). raycastAll
 * (sim/geometry) gives every footprint crossing along the column's ray, so the profile is known
 * exactly; it is drawn front to back with a "y-buffer": rows [top, height) of the column are done
 * and every new surface only fills the rows above `top` that it covers. Between two crossings the
 * surface is horizontal (floor, or the top face of the prism the ray is in — visible when lower
 * than the camera), at a crossing where the profile rises it is the prism's vertical face. Pixel
 * row j is covered by a surface spanning image rows [vA, vB) when its centre j + 0.5 lies in it,
 * so spans of neighbouring surfaces share their boundary rows exactly: no gaps, no overdraw.
 *
 * Exactness: a pixel's owner and depth are exact at the pixel centre's column plane (top faces
 * included, being the profile between the crossings); rows within a column are exact too. The
 * only approximations are in colour: the fog on a top face is taken at its far edge depth per
 * column, and lighting is flat per face (Lambert with the face normal; per column for cylinders).
 *
 * Output per pixel: rgb8 colour, owner id (index into scene.owners; -1 for floor and sky), and
 * depth along the optical axis in metres (+Infinity for sky), all row-major.
 */

import { raycastAll, type RayHit } from "../geometry/raycast";
import type { Scene } from "../geometry/scene";
import type { CameraIntrinsics } from "./intrinsics";
import type { CameraPose } from "./projection";
import type { BoxAccumulator } from "./ground-truth";
import { fogKeep, makeLight, packRgb, shade, topIntensity, wallIntensity, type Light, type RenderOptions } from "./shading";

// Math functions and constants bound once: inside jest's vm context every global lookup in a hot
// loop goes through the context's interceptors and costs ~10x; module bindings do not.
const floor = Math.floor;
const ceil = Math.ceil;
const sqrt = Math.sqrt;
const cos = Math.cos;
const sin = Math.sin;
const INF = Number.POSITIVE_INFINITY;
const NAN = Number.NaN;

/** Buffers a frame is drawn into, plus the renderer's reusable scratch tables. */
export interface RenderTarget {
  width: number;
  height: number;
  /** rgb8, row-major, step = 3 * width. */
  image: Uint8Array;
  /** Owner index per pixel (scene.owners), -1 for floor and sky. */
  ownerIds: Int32Array;
  /** Optical-axis depth per pixel (m), +Infinity for sky. */
  depth: Float32Array;
  /** Internal scratch; do not touch. */
  scratch: RenderScratch;
}

/** Tables reused across frames (rebuilt only when intrinsics, camera height or options change). */
interface RenderScratch {
  intrinsics: CameraIntrinsics | null;
  /** Per column: tan of the angle left of the optical axis, and cos of it. */
  colTan: Float64Array;
  colCos: Float64Array;
  /** Per column, this frame: world direction (unit) and direction / cos (floor points). */
  colDx: Float64Array;
  colDy: Float64Array;
  colFx: Float64Array;
  colFy: Float64Array;
  /** Per row: floor depth (m; Infinity at/above the horizon) and the two packed checker colours. */
  rowsForZ: number;
  rowsForOptions: RenderOptions | null;
  floorDepth: Float64Array;
  floorA: Int32Array;
  floorB: Int32Array;
  skyPacked: number;
  light: Light;
  /** Per owner: base colour and active-crossing count; active list. */
  ownersFor: Scene | null;
  ownerR: Float64Array;
  ownerG: Float64Array;
  ownerB: Float64Array;
  activeCount: Int32Array;
  activeList: Int32Array;
  /** Per owner, this column: first entry and last exit depth (silhouette); touched list. */
  colIn: Float64Array;
  colOut: Float64Array;
  colTouched: Int32Array;
  hits: RayHit[];
}

export function createRenderTarget(width: number, height: number): RenderTarget {
  const n = width * height;
  return {
    width,
    height,
    image: new Uint8Array(n * 3),
    ownerIds: new Int32Array(n),
    depth: new Float32Array(n),
    scratch: {
      intrinsics: null,
      colTan: new Float64Array(width),
      colCos: new Float64Array(width),
      colDx: new Float64Array(width),
      colDy: new Float64Array(width),
      colFx: new Float64Array(width),
      colFy: new Float64Array(width),
      rowsForZ: NAN,
      rowsForOptions: null,
      floorDepth: new Float64Array(height),
      floorA: new Int32Array(height),
      floorB: new Int32Array(height),
      skyPacked: 0,
      light: { x: 0, y: 0, z: 1, ambient: 1, diffuse: 0 },
      ownersFor: null,
      ownerR: new Float64Array(0),
      ownerG: new Float64Array(0),
      ownerB: new Float64Array(0),
      activeCount: new Int32Array(0),
      activeList: new Int32Array(0),
      colIn: new Float64Array(0),
      colOut: new Float64Array(0),
      colTouched: new Int32Array(0),
      hits: [],
    },
  };
}

function prepareColumns(s: RenderScratch, k: CameraIntrinsics, width: number): void {
  if (s.intrinsics === k) return;
  for (let i = 0; i < width; i++) {
    const t = (k.cx - (i + 0.5)) / k.fx;
    s.colTan[i] = t;
    s.colCos[i] = 1 / sqrt(1 + t * t);
  }
  s.intrinsics = k;
  s.rowsForOptions = null; // rows depend on the intrinsics too
}

function prepareRows(s: RenderScratch, k: CameraIntrinsics, height: number, camZ: number, o: RenderOptions): void {
  if (s.rowsForZ === camZ && s.rowsForOptions === o) return;
  const fr = o.floorColor.r;
  const fg = o.floorColor.g;
  const fb = o.floorColor.b;
  const { r: gr, g: gg, b: gb } = o.fogColor;
  const light = makeLight(o);
  s.light = light;
  const flat = topIntensity(light);
  const dark = flat * (1 - o.floorCheckerContrast);
  for (let j = 0; j < height; j++) {
    const dv = j + 0.5 - k.cy;
    const z = dv > 0 && camZ > 0 ? (k.fy * camZ) / dv : INF;
    s.floorDepth[j] = z;
    const keep = z === INF ? 0 : fogKeep(z, o.fogDistanceM);
    s.floorA[j] = shade(fr, fg, fb, flat, keep, gr, gg, gb);
    s.floorB[j] = o.floorCheckerM > 0 ? shade(fr, fg, fb, dark, keep, gr, gg, gb) : s.floorA[j]!;
  }
  s.skyPacked = packRgb(o.skyColor);
  s.rowsForZ = camZ;
  s.rowsForOptions = o;
}

function prepareOwners(s: RenderScratch, scene: Scene): void {
  if (s.ownersFor === scene) return;
  const n = scene.owners.length;
  s.ownerR = new Float64Array(n);
  s.ownerG = new Float64Array(n);
  s.ownerB = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const c = scene.owners[i]!.color;
    s.ownerR[i] = c.r;
    s.ownerG[i] = c.g;
    s.ownerB[i] = c.b;
  }
  s.activeCount = new Int32Array(n);
  s.activeList = new Int32Array(n);
  s.colIn = new Float64Array(n).fill(NAN);
  s.colOut = new Float64Array(n);
  s.colTouched = new Int32Array(n);
  s.ownersFor = scene;
}

/** First image row whose centre lies at or below image coordinate v, clamped to [0, height]. */
function rowOf(v: number, height: number): number {
  const r = ceil(v - 0.5);
  return r < 0 ? 0 : r > height ? height : r;
}

/**
 * Renders the scene seen from `pose` into `out` (see the file comment). If `boxes` is given, it
 * is reset and receives every visible span and the silhouette of each detectable owner, for the
 * frame's ground-truth boxes. Allocation-free once the target has seen this scene and options
 * (treat `options` as immutable: pass a new object to change it).
 */
export function render(
  scene: Scene,
  pose: CameraPose,
  k: CameraIntrinsics,
  options: RenderOptions,
  out: RenderTarget,
  boxes?: BoxAccumulator,
): void {
  const W = out.width;
  const H = out.height;
  if (k.width !== W || k.height !== H) {
    throw new RangeError(`render target is ${W}x${H} but the intrinsics are ${k.width}x${k.height}`);
  }
  const s = out.scratch;
  const camX = pose.x;
  const camY = pose.y;
  const camZ = pose.z;
  prepareColumns(s, k, W);
  prepareRows(s, k, H, camZ, options);
  prepareOwners(s, scene);
  if (boxes) boxes.reset();

  const light = s.light;
  const topI = topIntensity(light);
  const fogD = options.fogDistanceM;
  const fogR = options.fogColor.r;
  const fogG = options.fogColor.g;
  const fogB = options.fogColor.b;
  const inv = options.floorCheckerM > 0 ? 1 / options.floorCheckerM : 0;
  const maxRange = options.maxRangeM;
  const fy = k.fy;
  const cy = k.cy;
  const owners = scene.owners;
  const image = out.image;
  const ids = out.ownerIds;
  const depth = out.depth;
  const W3 = W * 3;
  const c = cos(pose.yaw);
  const sn = sin(pose.yaw);
  const { colTan, colCos, colDx, colDy, colFx, colFy, floorDepth, floorA, floorB } = s;
  const { ownerR, ownerG, ownerB, activeCount, activeList, colIn, colOut, colTouched, hits } = s;
  const sky = s.skyPacked;
  const skyR = (sky >> 16) & 255;
  const skyG = (sky >> 8) & 255;
  const skyB = sky & 255;
  const horizonRow = rowOf(cy, H);

  for (let i = 0; i < W; i++) {
    // Column direction: forward (c, sn) plus tan * left (-sn, c), normalised by cos.
    const t = colTan[i]!;
    const fx = c - t * sn;
    const fyw = sn + t * c;
    const cs = colCos[i]!;
    colFx[i] = fx;
    colFy[i] = fyw;
    const dx = fx * cs;
    const dy = fyw * cs;
    colDx[i] = dx;
    colDy[i] = dy;
    const n = raycastAll(scene, camX, camY, dx, dy, maxRange, hits);

    let top = H; // rows [top, H) of this column are drawn
    let activeN = 0;
    let g = 0; // current profile height (0 = floor)
    let gOwner = -1;
    let touchedN = 0;

    for (let h = 0; h < n; h++) {
      const hit = hits[h]!;
      const z = hit.distance * cs; // optical depth of the crossing
      // 1. The horizontal surface from the previous crossing up to this one.
      if (top > 0) {
        if (gOwner < 0) {
          const r0 = rowOf(cy + (fy * camZ) / z, H);
          if (r0 < top) {
            drawFloor(image, ids, depth, W, W3, i, r0, top, floorDepth, floorA, floorB, camX, camY, fx, fyw, inv);
            top = r0;
          }
        } else if (g < camZ) {
          const r0 = rowOf(cy + (fy * (camZ - g)) / z, H);
          if (r0 < top) {
            const col = shade(ownerR[gOwner]!, ownerG[gOwner]!, ownerB[gOwner]!, topI, fogKeep(z, fogD), fogR, fogG, fogB);
            const zNum = fy * (camZ - g);
            let p = r0 * W + i;
            let q = p * 3;
            const cr = (col >> 16) & 255;
            const cg = (col >> 8) & 255;
            const cb = col & 255;
            for (let j = r0; j < top; j++, p += W, q += W3) {
              image[q] = cr;
              image[q + 1] = cg;
              image[q + 2] = cb;
              ids[p] = gOwner;
              depth[p] = zNum / (j + 0.5 - cy);
            }
            if (boxes) boxes.addSpan(gOwner, i, r0, top);
            top = r0;
          }
        }
      }
      // 2. Update the set of solids the ray is in.
      const o = hit.owner;
      const entering = hit.nx * dx + hit.ny * dy < 0;
      if (entering) {
        if (activeCount[o]++ === 0) activeList[activeN++] = o;
        if (boxes && boxes.isDetectable(o)) {
          if (colIn[o] !== colIn[o]) {
            colIn[o] = z;
            colOut[o] = z;
            colTouched[touchedN++] = o;
          }
        }
      } else if (activeCount[o]! > 0) {
        if (--activeCount[o]! === 0) {
          for (let a = 0; a < activeN; a++) {
            if (activeList[a] === o) {
              activeList[a] = activeList[--activeN]!;
              break;
            }
          }
        }
        if (boxes && colIn[o] === colIn[o] && z > colOut[o]!) colOut[o] = z;
      }
      let ng = 0;
      let nOwner = -1;
      for (let a = 0; a < activeN; a++) {
        const ao = activeList[a]!;
        const ah = owners[ao]!.height;
        if (ah > ng || (ah === ng && ao === gOwner)) {
          ng = ah;
          nOwner = ao;
        }
      }
      // 3. Where the profile rises, the vertical face of the entering prism.
      if (ng > g && top > 0 && entering) {
        const r0 = rowOf(cy - (fy * (ng - camZ)) / z, H);
        if (r0 < top) {
          const keep = fogKeep(z, fogD);
          const col = shade(ownerR[o]!, ownerG[o]!, ownerB[o]!, wallIntensity(light, hit.nx, hit.ny), keep, fogR, fogG, fogB);
          const cr = (col >> 16) & 255;
          const cg = (col >> 8) & 255;
          const cb = col & 255;
          let p = r0 * W + i;
          let q = p * 3;
          for (let j = r0; j < top; j++, p += W, q += W3) {
            image[q] = cr;
            image[q + 1] = cg;
            image[q + 2] = cb;
            ids[p] = o;
            depth[p] = z;
          }
          if (boxes) boxes.addSpan(o, i, r0, top);
          top = r0;
        }
      }
      g = ng;
      gOwner = nOwner;
    }
    // Reset the solids still active (the ray ended inside them: maxRange or a ray from inside).
    for (let a = 0; a < activeN; a++) activeCount[activeList[a]!] = 0;

    // 4. Beyond the last crossing: the surface reaches the horizon, then the sky.
    if (top > horizonRow) {
      if (gOwner < 0) {
        drawFloor(image, ids, depth, W, W3, i, horizonRow, top, floorDepth, floorA, floorB, camX, camY, fx, fyw, inv);
      } else {
        // Inside a solid at maxRange: its top face, fully fogged distance.
        const col = shade(ownerR[gOwner]!, ownerG[gOwner]!, ownerB[gOwner]!, topI, fogKeep(maxRange, fogD), fogR, fogG, fogB);
        let p = horizonRow * W + i;
        let q = p * 3;
        for (let j = horizonRow; j < top; j++, p += W, q += W3) {
          image[q] = (col >> 16) & 255;
          image[q + 1] = (col >> 8) & 255;
          image[q + 2] = col & 255;
          ids[p] = gOwner;
          depth[p] = floorDepth[j]!;
        }
        if (boxes) boxes.addSpan(gOwner, i, horizonRow, top);
      }
      top = horizonRow;
    }
    {
      let p = i;
      let q = i * 3;
      for (let j = 0; j < top; j++, p += W, q += W3) {
        image[q] = skyR;
        image[q + 1] = skyG;
        image[q + 2] = skyB;
        ids[p] = -1;
        depth[p] = INF;
      }
    }

    // 5. Silhouettes (what each detectable object would cover in this column unoccluded).
    if (boxes) {
      for (let a = 0; a < touchedN; a++) {
        const o = colTouched[a]!;
        const zi = colIn[o]!;
        const zo = colOut[o]!;
        const oh = owners[o]!.height;
        const bottom = rowOf(cy + (fy * camZ) / zi, H);
        const topRow = rowOf(cy - (fy * (oh - camZ)) / (oh < camZ ? zo : zi), H);
        if (bottom > topRow) boxes.addSilhouette(o, bottom - topRow);
        colIn[o] = NAN;
      }
    }
  }
}

/** Floor rows [r0, r1) of column i: checker by world position, fog by row depth. */
function drawFloor(
  image: Uint8Array,
  ids: Int32Array,
  depth: Float32Array,
  W: number,
  W3: number,
  i: number,
  r0: number,
  r1: number,
  floorDepth: Float64Array,
  floorA: Int32Array,
  floorB: Int32Array,
  camX: number,
  camY: number,
  fx: number,
  fy: number,
  inv: number,
): void {
  let p = r0 * W + i;
  let q = p * 3;
  const ax = camX * inv;
  const ay = camY * inv;
  const bx = fx * inv;
  const by = fy * inv;
  for (let j = r0; j < r1; j++, p += W, q += W3) {
    const z = floorDepth[j]!;
    const odd = (floor(ax + z * bx) + floor(ay + z * by)) & 1;
    const col = odd ? floorB[j]! : floorA[j]!;
    image[q] = (col >> 16) & 255;
    image[q + 1] = (col >> 8) & 255;
    image[q + 2] = col & 255;
    ids[p] = -1;
    depth[p] = z;
  }
}
