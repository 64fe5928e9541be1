import {
  expandTopicName, fullyQualifiedNodeName, joinNamespace, NameError, normalizeNamespace, validateFullTopicName,
  validateNamespace, validateNodeName, validateTopicName,
} from '../../ros/names';
import { isNameRow, loadNamesParamsQos, NameRow, NodeNameRow } from './names-params-qos-data';

const data = loadNamesParamsQos();
const topicRows = data.names.filter(isNameRow);
const nodeRows = data.names.filter((r): r is NodeNameRow => !isNameRow(r));

function thrown(f: () => unknown): NameError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(NameError);
    return e as NameError;
  }
  throw new Error('expected a NameError, nothing was thrown');
}

describe('expandTopicName (rcl data rows)', () => {
  it('covers every namespace in the data', () => {
    expect(new Set(topicRows.map((r) => r.namespace))).toEqual(new Set(['', '/', '/ns', '/a/b']));
  });

  it.each(topicRows.map((r: NameRow) => [`node ${r.node} in "${r.namespace}": ${JSON.stringify(r.input)} → ${r.resolved ?? r.error}`, r] as const))(
    '%s',
    (_title, row) => {
      const ctx = { nodeName: row.node, namespace: row.namespace };
      if (row.resolved !== undefined) {
        expect(expandTopicName(row.input, ctx)).toBe(row.resolved);
      } else {
        const e = thrown(() => expandTopicName(row.input, ctx));
        // rclpy prints "failed to resolve name: <rcl reason>"; ours starts with exactly that
        expect(e.message.startsWith(row.error!)).toBe(true);
        expect(e.message).toContain(`'${row.input}'`);
        expect(e.input).toBe(row.input);
      }
    },
  );
});

describe('validateNodeName (rclpy data rows)', () => {
  it.each(nodeRows.map((r) => [`${JSON.stringify(r.node_name_input)} is ${r.valid ? 'accepted' : 'rejected'}`, r] as const))('%s', (_t, row) => {
    if (row.valid) {
      expect(() => validateNodeName(row.node_name_input)).not.toThrow();
    } else {
      const e = thrown(() => validateNodeName(row.node_name_input));
      expect(e.message).toBe(row.error);
    }
  });

  it('rejects names longer than 255 characters', () => {
    expect(thrown(() => validateNodeName('a'.repeat(256))).reason).toBe("node name length should not exceed '255'");
  });
  it('rejects a tilde and a dot', () => {
    expect(thrown(() => validateNodeName('~x')).index).toBe(0);
    expect(thrown(() => validateNodeName('a.b')).index).toBe(1);
  });
});

describe('validateTopicName (rcl_validate_topic_name)', () => {
  it.each([
    ['~foo', "topic name must not have a tilde '~' that is not followed by a forward slash '/'"],
    ['a/{b', "topic name must not have unmatched (unbalanced) curly braces '{}'"],
    ['a}b', "topic name must not have unmatched (unbalanced) curly braces '{}'"],
    ['{a/b}', "topic name must not have substitutions that contain characters other than alphanumerics or '_'"],
    ['{a{b}}', "topic name must not have substitutions that contain characters other than alphanumerics or '_'"],
    ['x/{1a}', 'topic name must not have substitutions that start with a number'],
    ['a-b', "topic name must not contain characters other than alphanumerics, '_', '~', '{', or '}'"],
    ['/', 'topic name must not end with a forward slash'],
  ])('rejects %j', (input, reason) => {
    const e = thrown(() => validateTopicName(input));
    expect(e.reason).toBe(reason);
    expect(e.message).toContain(`'${input}'`);
  });

  it.each(['~', '~/a', '{node}', '/a/{ns}/b', 'a_1/b_2', '_'])('accepts %j', (input) => {
    expect(() => validateTopicName(input)).not.toThrow();
  });
});

describe('expandTopicName (beyond the data)', () => {
  const ctx = { nodeName: 'planner', namespace: '/robot1' };
  it('expands {namespace} like {ns} and every occurrence of a substitution', () => {
    expect(expandTopicName('{namespace}/x', ctx)).toBe('/robot1/x');
    expect(expandTopicName('{node}/{node}', ctx)).toBe('/robot1/planner/planner');
  });
  it('expands ~ in the root namespace without a double slash', () => {
    expect(expandTopicName('~/plan', { nodeName: 'planner', namespace: '/' })).toBe('/planner/plan');
  });
  it('names the node and the expanded name when the expansion is invalid', () => {
    const e = thrown(() => expandTopicName('{ns}/status', { nodeName: 'talker', namespace: '' }));
    expect(e.checked).toBe('//status');
    expect(e.message).toContain("for node '/talker'");
  });
  it('rejects an unknown substitution naming it', () => {
    const e = thrown(() => expandTopicName('{robot}/x', ctx));
    expect(e.reason).toBe('unknown substitution: {robot}');
  });
});

describe('validateFullTopicName / validateNamespace (rmw)', () => {
  it('accepts absolute names and the root namespace', () => {
    expect(() => validateFullTopicName('/a/b_c')).not.toThrow();
    expect(() => validateNamespace('/')).not.toThrow();
    expect(() => validateNamespace('/a/b')).not.toThrow();
  });
  it.each([
    ['', 'namespace must not be empty'],
    ['ns', "namespace must be absolute, it must lead with a '/'"],
    ['/ns/', 'namespace must not end with a forward slash'],
    ['/n-s', "namespace must not contain characters other than alphanumerics, '_', or '/'"],
    ['/a//b', "namespace must not contain repeated '/'"],
    ['/a/1b', 'namespace must not have a token that starts with a number'],
  ])('rejects namespace %j', (ns, reason) => {
    const e = thrown(() => validateNamespace(ns));
    expect(e.reason).toBe(reason);
    expect(e.message).toContain(`'${ns}'`);
  });
  it('rejects a relative full topic name', () => {
    expect(thrown(() => validateFullTopicName('chatter')).reason).toBe("topic name must be absolute, it must lead with a '/'");
  });
  it('rejects a name over the rmw length limit', () => {
    expect(thrown(() => validateFullTopicName('/' + 'a'.repeat(300))).reason).toMatch(/should not exceed/);
  });
});

describe('fullyQualifiedNodeName', () => {
  it('joins namespace and name, the root namespace without a double slash', () => {
    expect(fullyQualifiedNodeName('', 'talker')).toBe('/talker');
    expect(fullyQualifiedNodeName('/', 'talker')).toBe('/talker');
    expect(fullyQualifiedNodeName('/a/b', 'talker')).toBe('/a/b/talker');
    expect(fullyQualifiedNodeName('ns', 'talker')).toBe('/ns/talker');
  });
  it('rejects an invalid node name or namespace', () => {
    expect(() => fullyQualifiedNodeName('/ns', '1x')).toThrow(NameError);
    expect(() => fullyQualifiedNodeName('/ns//x', 'a')).toThrow(NameError);
  });
  it('normalizes namespaces as rcl_node_init does', () => {
    expect(normalizeNamespace('')).toBe('/');
    expect(normalizeNamespace('robot')).toBe('/robot');
  });
});

describe('joinNamespace', () => {
  it.each([
    ['', '', '/'],
    ['/', 'robot1', '/robot1'],
    ['', 'robot1', '/robot1'],
    ['/robot1', 'sensors', '/robot1/sensors'],
    ['/robot1', '/abs', '/abs'],
    ['/robot1', '', '/robot1'],
    ['/robot1/', 'x/', '/robot1/x'],
  ])('joins %j and %j into %j', (parent, child, joined) => {
    expect(joinNamespace(parent, child)).toBe(joined);
  });
  it('rejects a join that is not a valid namespace', () => {
    expect(() => joinNamespace('/robot1', '2nd')).toThrow(/namespace must not have a token that starts with a number/);
  });
});
