/**
 * Decoders by manifest kind. To add a family: a file here exporting a factory from its spec to
 * a Decoder, a spec type and schema branch in manifest.ts, and a case below.
 */
import type { DecoderSpec } from "../manifest";
import type { Decoder } from "./common";
import { nanodetDecoder } from "./nanodet";
import { ssdDecoder } from "./ssd";
import { end2endDecoder, yolov5Decoder, yolov8Decoder } from "./yolo";
import { yoloxDecoder } from "./yolox";

export type { Box, DecodeContext, Decoder, ShapeMap, Tensor } from "./common";

/**
 * The decoder for a spec. Single-output decoders read `spec.output`, or else the model's only
 * output (`modelOutputs`); a model with several outputs must name the one to read.
 */
export function createDecoder(spec: DecoderSpec, modelOutputs: readonly string[]): Decoder {
  const single = (output: string | undefined): string => {
    if (output !== undefined) return output;
    if (modelOutputs.length === 1) return modelOutputs[0]!;
    throw new Error(
      `decoder '${spec.kind}' reads one output, but the model has ${modelOutputs.length} (${modelOutputs.join(", ") || "none"}); name it with decoder.output in the manifest`,
    );
  };
  switch (spec.kind) {
    case "yolov5":
      return yolov5Decoder(spec, single(spec.output));
    case "yolov8":
      return yolov8Decoder(spec, single(spec.output));
    case "yolox":
      return yoloxDecoder(spec, single(spec.output));
    case "end2end":
      return end2endDecoder(spec, single(spec.output));
    case "ssd":
      return ssdDecoder(spec);
    case "nanodet":
      return nanodetDecoder(spec);
  }
}
