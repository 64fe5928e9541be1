/**
 * Loader for /work/shared/data/ros2/ros2_jazzy_names_params_qos.json (produced by ROS 2 Jazzy's
 * rcl through rclpy). JSON.parse would round 9007199254740993 (the `big` parameter) to
 * 9007199254740992, so the file is read with the yaml package (JSON is YAML) keeping integers
 * as bigint, then every safe integer is narrowed back to a number.
 */
import * as fs from 'fs';
import { parse } from 'yaml';
import { sharedData } from '../support/shared-data';

export interface NameRow { namespace: string; node: string; input: string; resolved?: string; error?: string }
export interface NodeNameRow { node_name_input: string; valid: boolean; error?: string }
export interface RemapRow { rules: string[]; namespace: string; input: string; node_fully_qualified: string; resolved: string }
export interface ExpectedParam { type: string; value: unknown }
export interface ParamRow { file: string; yaml: string; node: string; namespace: string; parameters?: Record<string, ExpectedParam>; error?: string }
export interface QosSide { reliability?: string; durability?: string; deadline_s?: number; liveliness?: string }
export interface QosRow { pub: QosSide; sub: QosSide; compatibility: 'OK' | 'WARNING' | 'ERROR'; reason: string }

export interface NamesParamsQosData {
  producer: string;
  names: Array<NameRow | NodeNameRow>;
  remaps: RemapRow[];
  params: ParamRow[];
  qos: QosRow[];
}

function narrow(v: unknown): unknown {
  if (typeof v === 'bigint') return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
  if (Array.isArray(v)) return v.map(narrow);
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, narrow(x)]));
  return v;
}

export function loadNamesParamsQos(): NamesParamsQosData {
  const text = fs.readFileSync(sharedData('ros2', 'ros2_jazzy_names_params_qos.json'), 'utf8');
  return narrow(parse(text, { intAsBigInt: true })) as NamesParamsQosData;
}

export function isNameRow(r: NameRow | NodeNameRow): r is NameRow {
  return 'input' in r;
}
