/**
 * NanoDet / GFL distribution heads: per stride, class scores and, per side (left, top, right,
 * bottom), a discrete distribution over reg_max+1 distance bins whose expectation (after a
 * softmax) times the stride is the distance from the cell centre to that side. Each head's
 * tensors may be flattened [1,H*W,K] or channels-first [1,K,H,W].
 */
import type { NanodetDecoderSpec } from "../manifest";
import { formatShape, shapeFits, sigmoid, type Box, type DecodeContext, type Decoder, type ShapeMap, type Tensor } from "./common";

interface HeadView {
  stride: number;
  gw: number;
  gh: number;
}

export function nanodetDecoder(spec: NanodetDecoderSpec): Decoder {
  const kind = "nanodet";
  const bins = spec.reg_max + 1;
  const offset = spec.center_offset ?? 0;
  const activation = spec.cls_activation ?? "none";
  const grid = (stride: number, ctx: DecodeContext): HeadView => ({
    stride,
    gw: Math.ceil(ctx.inputWidth / stride),
    gh: Math.ceil(ctx.inputHeight / stride),
  });
  /** Whether `shape` fits [1,H*W,K] or [1,K,H,W]. */
  const fits = (shape: ReadonlyArray<number | string>, hw: number, gh: number, gw: number, k: number): boolean =>
    shapeFits(shape, [1, hw, k]) || shapeFits(shape, [1, k, gh, gw]);

  return {
    kind,
    outputNames: spec.heads.flatMap((h) => [h.cls, h.reg]),
    check(shapes: ShapeMap, ctx) {
      for (const head of spec.heads) {
        const g = grid(head.stride, ctx);
        const hw = g.gw * g.gh;
        for (const [name, k, what] of [
          [head.cls, ctx.numClasses, `${ctx.numClasses} class scores`],
          [head.reg, 4 * bins, `4 x ${bins} distance bins (reg_max ${spec.reg_max})`],
        ] as const) {
          const shape = shapes[name];
          if (!shape) return `decoder 'nanodet' reads output '${name}' (stride ${head.stride}), but the model has no such output`;
          if (!fits(shape, hw, g.gh, g.gw, k)) {
            return `decoder 'nanodet' expects output '${name}' (stride ${head.stride}, ${what}) of shape [1,${hw},${k}] or [1,${k},${g.gh},${g.gw}], but the model gives ${formatShape(shape)}`;
          }
        }
      }
      return undefined;
    },
    decode(outputs, ctx): Box[] {
      const out: Box[] = [];
      const c = ctx.numClasses;
      const dist = new Float64Array(bins);
      for (const head of spec.heads) {
        const g = grid(head.stride, ctx);
        const hw = g.gw * g.gh;
        const cls = headTensor(outputs, head.cls, hw, g, c);
        const reg = headTensor(outputs, head.reg, hw, g, 4 * bins);
        for (let i = 0; i < hw; i++) {
          let best = 0;
          let score = -Infinity;
          for (let k = 0; k < c; k++) {
            const v = cls.get(i, k);
            if (v > score) {
              score = v;
              best = k;
            }
          }
          if (activation === "sigmoid") score = sigmoid(score);
          if (score < ctx.scoreThreshold) continue;
          const cx = ((i % g.gw) + offset) * head.stride;
          const cy = (Math.floor(i / g.gw) + offset) * head.stride;
          const side = [0, 0, 0, 0];
          for (let j = 0; j < 4; j++) {
            let max = -Infinity;
            for (let b = 0; b < bins; b++) max = Math.max(max, (dist[b] = reg.get(i, j * bins + b)));
            let sum = 0;
            let expectation = 0;
            for (let b = 0; b < bins; b++) {
              const e = Math.exp(dist[b]! - max);
              sum += e;
              expectation += b * e;
            }
            side[j] = (expectation / sum) * head.stride;
          }
          out.push({ x1: cx - side[0]!, y1: cy - side[1]!, x2: cx + side[2]!, y2: cy + side[3]!, score, classId: best });
        }
      }
      return out;
    },
  };
}

function headTensor(outputs: Readonly<Record<string, Tensor>>, name: string, hw: number, g: HeadView, k: number): { get(i: number, ch: number): number } {
  const t = outputs[name];
  if (!t) throw new Error(`decoder 'nanodet': output '${name}' missing`);
  const d = t.data;
  if (shapeFits(t.dims, [1, hw, k])) return { get: (i, ch) => d[i * k + ch]! };
  if (shapeFits(t.dims, [1, k, g.gh, g.gw])) return { get: (i, ch) => d[ch * hw + i]! };
  throw new Error(`decoder 'nanodet': output '${name}' is ${formatShape(t.dims)}, expected [1,${hw},${k}] or [1,${k},${g.gh},${g.gw}]`);
}
