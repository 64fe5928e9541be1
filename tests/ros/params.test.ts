import {
  dumpParameters, matchingEntries, ParameterFileError, ParameterMap, ParameterValue, parametersForNode, parseCDouble, parseCInteger,
  parseParameterFile, typeScalar,
} from '../../ros/params';
import { loadNamesParamsQos, ParamRow } from './names-params-qos-data';

const data = loadNamesParamsQos();

/**
 * Every rclpy node declares `use_sim_time` (false) and `start_type_description_service` (true)
 * itself; the data lists what the node ends up with, so the test adds those two node defaults
 * under the file's parameters (a file may override them, as `wildcard` does for use_sim_time).
 * parametersForNode returns file parameters only: the declared defaults are the node's business.
 */
const RCLPY_NODE_DEFAULTS: Record<string, ParameterValue> = {
  use_sim_time: { type: 'BOOL', value: false },
  start_type_description_service: { type: 'BOOL', value: true },
};

function asRecord(m: ParameterMap): Record<string, ParameterValue> {
  return Object.fromEntries(m);
}

function errorOf(f: () => unknown): ParameterFileError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(ParameterFileError);
    return e as ParameterFileError;
  }
  throw new Error('expected a ParameterFileError, nothing was thrown');
}

/** The substance of rcl's/rclpy's message: its first sentence, without the line suffix. */
function rclCore(error: string): { core: string; line?: number } {
  const m = /^.*Error: (.*)$/s.exec(error); // the last "…Error: " starts the reason
  const text = m ? m[1]! : error;
  const line = /at line(?:_num)? (\d+)/.exec(text);
  const core = text.split('. ')[0]!.replace(/ at line(?:_num)? \d+$/, '');
  return line ? { core, line: Number(line[1]) } : { core };
}

describe('parametersForNode (rclpy data rows: node "talker")', () => {
  it.each(data.params.map((r: ParamRow) => [`${r.file} in namespace "${r.namespace}" → ${r.error ? 'error' : Object.keys(r.parameters!).length + ' parameters'}`, r] as const))(
    '%s',
    (_t, row) => {
      const file = `${row.file}.yaml`;
      const run = (): ParameterMap => parametersForNode(parseParameterFile(row.yaml, { file }), { nodeName: row.node, namespace: row.namespace });
      if (row.parameters) {
        expect({ ...RCLPY_NODE_DEFAULTS, ...asRecord(run()) }).toEqual(row.parameters);
      } else {
        const e = errorOf(run);
        const { core, line } = rclCore(row.error!);
        expect(e.message).toContain(core);
        expect(e.message).toContain(file);
        if (line !== undefined) {
          expect(e.line).toBe(line);
          expect(e.message).toContain(`${file}:${line}:`);
        }
        expect(e.message).toMatch(/node '[^']+'/);
      }
    },
  );

  it('keeps 9007199254740993 exact as a bigint', () => {
    const row = data.params.find((r) => r.file === 'types' && r.namespace === '')!;
    const p = parametersForNode(parseParameterFile(row.yaml, { file: 'types.yaml' }), { nodeName: 'talker', namespace: '' });
    expect(p.get('big')).toEqual({ type: 'INTEGER', value: 9007199254740993n });
    expect(p.get('neg')).toEqual({ type: 'INTEGER', value: -7 });
  });

  it('names the file, node and parameter of an empty array matched to the node', () => {
    const e = errorOf(() => parametersForNode(parseParameterFile('talker:\n  ros__parameters:\n    empty_list: []\n', { file: 'e.yaml' }), { nodeName: 'talker', namespace: '' }));
    expect(e.message).toBe(
      "e.yaml:3: node '/talker': parameter 'empty_list': Cannot declare a statically typed parameter with default value of type PARAMETER_NOT_SET: " +
        'an empty array [] has no element type; expected a non-empty array (e.g. [1.0, 2.0]) or no entry at all, found []',
    );
  });
});

describe('parameter file matching and precedence', () => {
  const ctx = { nodeName: 'talker', namespace: '/robot1' };
  it('matches /**, /ns/*, /**/name, fully qualified and relative keys as rclpy does', () => {
    const f = parseParameterFile(
      ['/**:', '  ros__parameters: {a: 1}', '/robot1/*:', '  ros__parameters: {b: 1}', '/**/talker:', '  ros__parameters: {c: 1}',
        '/robot1/talker:', '  ros__parameters: {d: 1}', 'talker:', '  ros__parameters: {e: 1}', '/robot2/*:', '  ros__parameters: {f: 1}',
        '/*:', '  ros__parameters: {g: 1}', ''].join('\n'),
      { file: 'm.yaml' },
    );
    expect([...parametersForNode(f, ctx).keys()]).toEqual(['a', 'b', 'c', 'd']);
    expect(matchingEntries(f, ctx).map((e) => e.key)).toEqual(['/**', '/robot1/*', '/**/talker', '/robot1/talker']);
    expect([...parametersForNode(f, { nodeName: 'talker', namespace: '' }).keys()]).toEqual(['a', 'c', 'e', 'g']);
  });
  it('lets a later matching key override an earlier one', () => {
    const f = parseParameterFile('/robot1/talker:\n  ros__parameters: {x: 1}\n/**:\n  ros__parameters: {x: 2}\n', { file: 'p.yaml' });
    expect(parametersForNode(f, ctx).get('x')).toEqual({ type: 'INTEGER', value: 2 });
  });
  it('merges several files like rcl: a key keeps its first position, its values are updated', () => {
    const a = parseParameterFile('/**:\n  ros__parameters: {x: 1, y: 1}\n/robot1/talker:\n  ros__parameters: {x: 2}\n', { file: 'a.yaml' });
    const b = parseParameterFile('/**:\n  ros__parameters: {y: 3}\n', { file: 'b.yaml' });
    const p = parametersForNode([a, b], ctx);
    expect(p.get('x')).toEqual({ type: 'INTEGER', value: 2 });
    expect(p.get('y')).toEqual({ type: 'INTEGER', value: 3 });
  });
  it('joins nested namespace keys and normalizes relative keys', () => {
    const f = parseParameterFile('robot1:\n  talker:\n    ros__parameters:\n      deep:\n        er: {x: 1.5}\n', { file: 'n.yaml' });
    expect([...f.nodes.keys()]).toEqual(['/robot1/talker']);
    expect(asRecord(parametersForNode(f, ctx))).toEqual({ 'deep.er.x': { type: 'DOUBLE', value: 1.5 } });
  });
  it('reads an empty file and an empty ros__parameters as no parameters', () => {
    expect(parseParameterFile('', { file: 'e.yaml' }).nodes.size).toBe(0);
    expect(parametersForNode(parseParameterFile('/**:\n  ros__parameters:\n', { file: 'e.yaml' }), ctx).size).toBe(0);
  });
});

describe('parseParameterFile value typing (rcl get_value)', () => {
  const one = (yaml: string): ParameterValue =>
    parametersForNode(parseParameterFile(`/**:\n  ros__parameters:\n    v: ${yaml}\n`, { file: 't.yaml' }), { nodeName: 'n', namespace: '' }).get('v')!;
  it.each([
    ['10', { type: 'INTEGER', value: 10 }],
    ['1.0', { type: 'DOUBLE', value: 1 }],
    ['1e-3', { type: 'DOUBLE', value: 0.001 }],
    ["'42'", { type: 'STRING', value: '42' }],
    ['"true"', { type: 'STRING', value: 'true' }],
    ['yes', { type: 'BOOL', value: true }],
    ['Off', { type: 'BOOL', value: false }],
    ['0x10', { type: 'INTEGER', value: 16 }],
    ['010', { type: 'INTEGER', value: 8 }],
    ['08', { type: 'DOUBLE', value: 8 }],
    ['-7', { type: 'INTEGER', value: -7 }],
    ['9223372036854775807', { type: 'INTEGER', value: 9223372036854775807n }],
    ['9223372036854775808', { type: 'DOUBLE', value: 9223372036854775808 }],
    ['inf', { type: 'DOUBLE', value: Infinity }],
    ['kestrel', { type: 'STRING', value: 'kestrel' }],
    ['!!str 12', { type: 'STRING', value: '12' }],
    ['[true, false]', { type: 'BOOL_ARRAY', value: [true, false] }],
    ['[1, 9007199254740993]', { type: 'INTEGER_ARRAY', value: [1, 9007199254740993n] }],
    ["['a', b]", { type: 'STRING_ARRAY', value: ['a', 'b'] }],
  ])('reads %s', (yaml, expected) => {
    expect(one(yaml)).toEqual(expected);
  });
  it('agrees with C strtol/strtod on the edges', () => {
    expect(parseCInteger('-0x1F')).toBe(-31n);
    expect(parseCInteger('1.0')).toBeNull();
    expect(parseCDouble('1e999')).toBeNull();
    expect(parseCDouble('.5')).toBe(0.5);
    expect(parseCDouble('5.')).toBe(5);
    expect(parseCDouble('abc')).toBeNull();
    expect(typeScalar('NaN', 'plain')).toEqual({ kind: 'double', value: NaN });
  });
});

describe('parseParameterFile errors', () => {
  const bad = (yaml: string, file = 'bad.yaml'): ParameterFileError => errorOf(() => parseParameterFile(yaml, { file }));

  it('rejects malformed YAML with file and line', () => {
    const e = bad('talker:\n  ros__parameters:\n    gains: [1.0, 2.0\n    rate: 3\n');
    expect(e.message).toMatch(/^bad\.yaml:\d+: malformed YAML: /);
    expect(e.line).toBeGreaterThanOrEqual(3);
  });
  it('rejects a mixed array naming node, parameter, expected and found', () => {
    const e = bad('planner:\n  ros__parameters:\n    gains: [1, "a"]\n', 'params.yaml');
    expect(e.message).toBe(
      "params.yaml:3: node 'planner': parameter 'gains': Sequence should be of same type: arrays must hold one type, " +
        "expected integer items like the first, but value type 'string' (\"a\") does not belong; found [1, \"a\"]",
    );
  });
  it('rejects integers mixed with doubles (rcl does not promote)', () => {
    expect(bad('n:\n  ros__parameters:\n    g: [1, 2.5]\n').message).toContain("value type 'double' (2.5) does not belong");
  });
  it('rejects the line of the offending item in a block sequence', () => {
    expect(bad('n:\n  ros__parameters:\n    g:\n      - 1\n      - x\n').line).toBe(5);
  });
  it('rejects a non-mapping root', () => {
    expect(bad('- a\n- b\n').message).toMatch(/^bad\.yaml:1: the file must be a mapping of node names to 'ros__parameters'.*found a sequence/);
    expect(bad('just text\n').message).toContain('found the value "just text"');
  });
  it('rejects a missing ros__parameters naming node and key', () => {
    const e = bad('planner:\n  rate_hz: 10\n');
    expect(e.message).toContain("bad.yaml:2: node 'planner': parameter 'rate_hz': Cannot have a value before ros__parameters");
    expect(e.message).toContain('planner: {ros__parameters: {rate_hz: …}}');
  });
  it('rejects a top-level parameter (a ROS 1 style file)', () => {
    expect(bad('rate_hz: 10\n').message).toMatch(/^bad\.yaml:1: Cannot have a value before ros__parameters: found the value "10" for 'rate_hz' at the top level/);
  });
  it('rejects ros__parameters without a node name', () => {
    expect(bad('ros__parameters:\n  a: 1\n').message).toContain('There are no node names before ros__parameters');
  });
  it('rejects ros__parameters that is not a mapping', () => {
    expect(bad('n:\n  ros__parameters: 5\n').message).toMatch(/node 'n': Cannot have a value before ros__parameters: expected 'ros__parameters' to be a mapping.*found the value "5"/);
  });
  it('rejects a parameter without a value', () => {
    expect(bad('n:\n  ros__parameters:\n    rate:\n').message).toBe("bad.yaml:3: node 'n': parameter 'rate': No value: expected a value after 'rate:', found nothing");
  });
  it('rejects nested sequences and mappings inside arrays', () => {
    expect(bad('n:\n  ros__parameters:\n    m: [[1], [2]]\n').message).toContain("parameter 'm': arrays may only hold scalars (bool, integer, double or string), found a nested sequence");
    expect(bad('n:\n  ros__parameters:\n    m:\n      - a: 1\n').message).toContain('found a mapping');
  });
  it('rejects a sequence before ros__parameters', () => {
    expect(bad('n:\n  - 1\n').message).toContain('Sequences can only be values and not keys in params');
  });
});

describe('dumpParameters', () => {
  const params: ParameterMap = new Map<string, ParameterValue>([
    ['rate_hz', { type: 'INTEGER', value: 10 }],
    ['gain', { type: 'DOUBLE', value: 2 }],
    ['name', { type: 'STRING', value: 'kestrel' }],
    ['id', { type: 'STRING', value: '42' }],
    ['flag_text', { type: 'STRING', value: 'yes' }],
    ['quote', { type: 'STRING', value: "it's: here\nnext" }],
    ['enabled', { type: 'BOOL', value: true }],
    ['gains', { type: 'DOUBLE_ARRAY', value: [1, 2.5] }],
    ['ids', { type: 'INTEGER_ARRAY', value: [1, 9007199254740993n] }],
    ['labels', { type: 'STRING_ARRAY', value: ['a', 'true'] }],
    ['nested.depth', { type: 'INTEGER', value: 2 }],
    ['nested.inner.x', { type: 'DOUBLE', value: 0.5 }],
    ['nan', { type: 'DOUBLE', value: NaN }],
  ]);

  it('writes ros2 param dump YAML with nested keys re-nested and sorted', () => {
    const text = dumpParameters('/talker', new Map([...params].filter(([k]) => ['rate_hz', 'gain', 'gains', 'nested.depth', 'nested.inner.x', 'id'].includes(k))));
    expect(text).toBe(
      ['/talker:', '  ros__parameters:', '    gain: 2.0', '    gains:', '    - 1.0', '    - 2.5', "    id: '42'", '    nested:', '      depth: 2',
        '      inner:', '        x: 0.5', '    rate_hz: 10', ''].join('\n'),
    );
  });
  it('round-trips through parseParameterFile with the same types and values', () => {
    const back = parametersForNode(parseParameterFile(dumpParameters('/talker', params), { file: 'dump.yaml' }), { nodeName: 'talker', namespace: '' });
    expect(asRecord(back)).toEqual(asRecord(params));
  });
  it('writes an empty node as an empty mapping', () => {
    expect(dumpParameters('/**', new Map())).toBe('/**:\n  ros__parameters: {}\n');
  });
});
