import {
  coerce, compileParameterSchema, ParameterMap, ParameterSchema, ParameterSchemaError, parameterTypeOf, ParameterValue, parametersForNode,
  parseParameterFile,
} from '../../ros/params';

const plannerSchema: ParameterSchema = {
  type: 'object',
  properties: {
    rate_hz: { type: 'number', default: 10.0, minimum: 0.1, maximum: 100, description: 'planning rate' },
    max_iterations: { type: 'integer', default: 1000, minimum: 1 },
    algorithm: { type: 'string', enum: ['astar', 'theta_star'], default: 'astar' },
    use_sim_time: { type: 'boolean', default: false },
    gains: { type: 'array', items: { type: 'number' }, default: [1.0, 0.5], minItems: 2 },
    frame: { type: 'string', readOnly: true },
  },
  required: ['frame'],
};

function fileParams(yaml: string): ParameterMap {
  return parametersForNode(parseParameterFile(yaml, { file: 'planner.yaml' }), { nodeName: 'planner', namespace: '' });
}

describe('parameterTypeOf', () => {
  it.each([
    [{ type: 'boolean' }, 'BOOL'],
    [{ type: 'integer' }, 'INTEGER'],
    [{ type: 'number' }, 'DOUBLE'],
    [{ type: 'string' }, 'STRING'],
    [{ type: 'array', items: { type: 'boolean' } }, 'BOOL_ARRAY'],
    [{ type: 'array', items: { type: 'integer' } }, 'INTEGER_ARRAY'],
    [{ type: 'array', items: { type: 'number' } }, 'DOUBLE_ARRAY'],
    [{ type: 'array', items: { type: 'string' } }, 'STRING_ARRAY'],
  ])('maps %j to %s', (prop, type) => {
    expect(parameterTypeOf(prop as never)).toBe(type);
  });
  it('rejects an array without items.type and an unknown type', () => {
    expect(() => parameterTypeOf({ type: 'array' })).toThrow('an array parameter needs items.type');
    expect(() => parameterTypeOf({ type: 'object' } as never)).toThrow("found 'object'");
  });
});

describe('coerce', () => {
  it('accepts the declared type unchanged', () => {
    expect(coerce({ type: 'DOUBLE', value: 2 }, 'DOUBLE')).toEqual({ ok: true, value: { type: 'DOUBLE', value: 2 } });
  });
  it('rejects an integer for a double like ROS, saying to write 2.0', () => {
    const r = coerce({ type: 'INTEGER', value: 2 }, 'DOUBLE');
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.problem).toBe('Wrong parameter type: the parameter is of type double, setting it to integer is not allowed (found 2); write 2.0 for a double');
      expect(r.expected).toBe('double');
      expect(r.found).toBe('integer 2');
    }
  });
  it('rejects an integer array for a double array with the corrected array', () => {
    const r = coerce({ type: 'INTEGER_ARRAY', value: [1, 2] }, 'DOUBLE_ARRAY');
    expect(!r.ok && r.problem).toContain('write [1.0, 2.0] for a double array');
  });
  it('rejects a double for an integer naming both types', () => {
    const r = coerce({ type: 'DOUBLE', value: 2.5 }, 'INTEGER');
    expect(!r.ok && r.problem).toBe('Wrong parameter type: the parameter is of type integer, setting it to double is not allowed (found 2.5)');
  });
});

describe('compileParameterSchema', () => {
  const validate = compileParameterSchema(plannerSchema);

  it('returns typed values, with defaults for what the file leaves out', () => {
    const r = validate(fileParams('planner:\n  ros__parameters:\n    rate_hz: 20.0\n    frame: map\n'), { node: '/planner' });
    expect(r.ok).toBe(true);
    if (r.ok) {
      expect(Object.fromEntries(r.values)).toEqual({
        rate_hz: { type: 'DOUBLE', value: 20 },
        frame: { type: 'STRING', value: 'map' },
        max_iterations: { type: 'INTEGER', value: 1000 },
        algorithm: { type: 'STRING', value: 'astar' },
        use_sim_time: { type: 'BOOL', value: false },
        gains: { type: 'DOUBLE_ARRAY', value: [1, 0.5] },
      });
      expect(r.warnings).toEqual([]);
    }
  });

  it('rejects `2` for a number parameter, saying to write 2.0', () => {
    const r = validate(fileParams('planner:\n  ros__parameters:\n    rate_hz: 2\n    frame: map\n'), { node: '/planner' });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.errors).toHaveLength(1);
      expect(r.errors[0]).toMatchObject({ node: '/planner', parameter: 'rate_hz', expected: 'double', found: 'integer 2' });
      expect(r.errors[0]!.message).toContain("node '/planner': parameter 'rate_hz': Wrong parameter type");
      expect(r.errors[0]!.message).toContain('write 2.0');
    }
  });

  it('rejects values out of range and outside the enum, naming the limits', () => {
    const params = new Map<string, ParameterValue>([
      ['rate_hz', { type: 'DOUBLE', value: 500 }],
      ['max_iterations', { type: 'INTEGER', value: 0 }],
      ['algorithm', { type: 'STRING', value: 'dijkstra' }],
      ['gains', { type: 'DOUBLE_ARRAY', value: [1] }],
      ['frame', { type: 'STRING', value: 'map' }],
    ]);
    const r = validate(params, { node: '/planner' });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      const byName = Object.fromEntries(r.errors.map((e) => [e.parameter, e]));
      expect(byName.rate_hz).toMatchObject({ expected: 'a value <= 100', found: '500.0' });
      expect(byName.max_iterations).toMatchObject({ expected: 'a value >= 1', found: '0' });
      expect(byName.algorithm).toMatchObject({ expected: 'one of ["astar","theta_star"]', found: '"dijkstra"' });
      expect(byName.gains).toMatchObject({ expected: 'at least 2 items', found: '[1.0]' });
      expect(byName.rate_hz!.message).toBe("node '/planner': parameter 'rate_hz': expected a value <= 100, found 500.0");
    }
  });

  it('reports a required parameter without a default as missing', () => {
    const r = validate(new Map(), { node: '/planner' });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors.map((e) => e.message)).toEqual([
      "node '/planner': parameter 'frame': missing: expected a string, found nothing (the parameter is required and has no default)",
    ]);
  });

  it('warns about undeclared parameters, suggesting a near name', () => {
    const r = validate(fileParams('planner:\n  ros__parameters:\n    rate_hzz: 5.0\n    frame: map\n'), { node: '/planner' });
    expect(r.ok).toBe(true);
    expect(r.warnings).toHaveLength(1);
    expect(r.warnings[0]!.message).toBe(
      "node '/planner': parameter 'rate_hzz': not declared by this node, so ROS ignores it (unless allow_undeclared_parameters); did you mean 'rate_hz'?",
    );
  });

  it('exposes descriptors with ROS types and readOnly', () => {
    expect(validate.descriptors.get('frame')).toMatchObject({ type: 'STRING', readOnly: true });
    expect(validate.descriptors.get('rate_hz')).toMatchObject({ type: 'DOUBLE', description: 'planning rate', default: { type: 'DOUBLE', value: 10 } });
  });

  it('accepts int64 values beyond 2^53 for integer parameters', () => {
    const v = compileParameterSchema({ type: 'object', properties: { id: { type: 'integer' } } });
    const r = v(new Map([['id', { type: 'INTEGER', value: 9007199254740993n }]]), { node: '/n' });
    expect(r.ok && r.values.get('id')).toEqual({ type: 'INTEGER', value: 9007199254740993n });
  });

  it('rejects schemas it cannot turn into ROS parameters', () => {
    expect(() => compileParameterSchema({ type: 'array' } as never)).toThrow(ParameterSchemaError);
    expect(() => compileParameterSchema({ type: 'object', properties: { x: { type: 'array' } } })).toThrow("parameter 'x': an array parameter needs items.type");
    expect(() => compileParameterSchema({ type: 'object', properties: { x: { type: 'integer', default: 1.5 } } })).toThrow("parameter 'x': default must be of type integer, found 1.5");
    expect(() => compileParameterSchema({ type: 'object', properties: { x: { type: 'integer', minimum: 'low' as never } } })).toThrow('invalid parameter schema');
  });
});
