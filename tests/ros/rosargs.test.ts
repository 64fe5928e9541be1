import { NameError } from '../../ros/names';
import {
  applyRemaps, parseLogLevel, parseParamRule, parseRemapRule, parseRosArgs, remapNamespace, remapNodeName, resolveNode, RosArgsError,
} from '../../ros/rosargs';
import { loadNamesParamsQos } from './names-params-qos-data';

const data = loadNamesParamsQos();

describe('remapping (rcl data rows: node "talker")', () => {
  it.each(data.remaps.map((r) => [`${r.rules.join(' ')} in "${r.namespace}": ${r.input} → node ${r.node_fully_qualified}, topic ${r.resolved}`, r] as const))(
    '%s',
    (_t, row) => {
      const args = parseRosArgs(['talker_exe', '--ros-args', ...row.rules.flatMap((r) => ['-r', r])]);
      const node = resolveNode({ nodeName: 'talker', namespace: row.namespace, rules: args.remaps });
      expect(node.fullyQualifiedName).toBe(row.node_fully_qualified);
      expect(applyRemaps(row.input, { rules: args.remaps, nodeName: node.nodeName, namespace: node.namespace })).toBe(row.resolved);
    },
  );
});

describe('applyRemaps', () => {
  const ctx = { nodeName: 'talker', namespace: '/ns' };
  it('uses the first matching rule', () => {
    const rules = [parseRemapRule('chatter:=first'), parseRemapRule('chatter:=second')];
    expect(applyRemaps('chatter', { ...ctx, rules })).toBe('/ns/first');
  });
  it('skips rules scoped to another node and keeps looking', () => {
    const rules = [parseRemapRule('listener:chatter:=no'), parseRemapRule('chatter:=yes')];
    expect(applyRemaps('chatter', { ...ctx, rules })).toBe('/ns/yes');
  });
  it('expands substitutions in the replacement', () => {
    expect(applyRemaps('chatter', { ...ctx, rules: [parseRemapRule('chatter:={node}/out')] })).toBe('/ns/talker/out');
  });
  it('applies rostopic:// rules to topics only and rosservice:// rules to services only', () => {
    const rules = [parseRemapRule('rosservice://reset:=svc_reset'), parseRemapRule('rostopic://reset:=topic_reset')];
    expect(applyRemaps('reset', { ...ctx, rules })).toBe('/ns/topic_reset');
    expect(applyRemaps('reset', { ...ctx, rules, kind: 'service' })).toBe('/ns/svc_reset');
  });
  it('leaves an unmatched name expanded', () => {
    expect(applyRemaps('~/x', { ...ctx, rules: [parseRemapRule('y:=z')] })).toBe('/ns/talker/x');
  });
  it('rejects an input name rcl rejects, with rcl\'s reason', () => {
    expect(() => applyRemaps('a//b', { ...ctx, rules: [] })).toThrow(NameError);
  });
});

describe('remapNodeName / remapNamespace', () => {
  const rules = [parseRemapRule('listener:__node:=ears'), parseRemapRule('__ns:=/moved'), parseRemapRule('__name:=renamed')];
  it('takes the first rule that applies to the node', () => {
    expect(remapNodeName('listener', rules)).toBe('ears');
    expect(remapNodeName('talker', rules)).toBe('renamed');
    expect(remapNamespace('/ns', 'talker', rules)).toBe('/moved');
  });
  it('matches node-scoped namespace rules by the original node name', () => {
    const r = [parseRemapRule('__node:=renamed'), parseRemapRule('talker:__ns:=/t')];
    expect(resolveNode({ nodeName: 'talker', namespace: '', rules: r }).fullyQualifiedName).toBe('/t/renamed');
  });
});

describe('parseRemapRule', () => {
  it('reads plain, node-scoped and special rules', () => {
    expect(parseRemapRule('chatter:=talk')).toEqual({ type: 'name', scheme: 'any', from: 'chatter', to: 'talk', text: 'chatter:=talk' });
    expect(parseRemapRule('talker:chatter:=mine')).toMatchObject({ type: 'name', node: 'talker', from: 'chatter', to: 'mine' });
    expect(parseRemapRule('__node:=n2')).toMatchObject({ type: 'node_name', to: 'n2' });
    expect(parseRemapRule('__ns:=/a/b')).toMatchObject({ type: 'namespace', to: '/a/b' });
    expect(parseRemapRule('~/x:=/y')).toMatchObject({ type: 'name', from: '~/x', to: '/y' });
  });
  it.each([
    ['chatter', "no ':=' found"],
    [':=talk', "nothing before ':='"],
    ['chatter:=', "nothing after ':='"],
    ['a:=b:=c', "more than one ':='"],
    ['__node:=1bad', "the new node name '1bad' is invalid"],
    ['__ns:=relative', "the new namespace 'relative' is invalid: namespace must be absolute"],
    ['__foo:=x', "unknown special rule '__foo'"],
    ['bad name:=x', "the name to match 'bad name' is invalid"],
    ['x:=a//b//', "the replacement 'a//b//' is invalid: topic name must not end with a forward slash"],
  ])('rejects %j', (rule, why) => {
    expect(() => parseRemapRule(rule)).toThrow(RosArgsError);
    expect(() => parseRemapRule(rule)).toThrow(why);
    expect(() => parseRemapRule(rule)).toThrow(`'${rule}'`);
  });
});

describe('parseParamRule', () => {
  it('types the value as rcl parses YAML', () => {
    expect(parseParamRule('rate:=10').value).toEqual({ type: 'INTEGER', value: 10 });
    expect(parseParamRule('gain:=1.0').value).toEqual({ type: 'DOUBLE', value: 1 });
    expect(parseParamRule('on:=true').value).toEqual({ type: 'BOOL', value: true });
    expect(parseParamRule("id:='42'").value).toEqual({ type: 'STRING', value: '42' });
    expect(parseParamRule('gains:=[1.0, 2.5]').value).toEqual({ type: 'DOUBLE_ARRAY', value: [1, 2.5] });
    expect(parseParamRule('names:=[a, b]').value).toEqual({ type: 'STRING_ARRAY', value: ['a', 'b'] });
    expect(parseParamRule('big:=9007199254740993').value).toEqual({ type: 'INTEGER', value: 9007199254740993n });
    expect(parseParamRule('nested.depth:=2')).toMatchObject({ name: 'nested.depth' });
    expect(parseParamRule('talker:rate:=5')).toMatchObject({ node: 'talker', name: 'rate' });
  });
  it.each([
    ['rate', "no ':=' found"],
    ['rate:=', 'found nothing'],
    ['mixed:=[1, a]', "value type 'string'"],
    ['empty:=[]', 'PARAMETER_NOT_SET'],
    ['1rate:=3', "'1rate' is not a parameter name"],
  ])('rejects %j', (rule, why) => {
    expect(() => parseParamRule(rule)).toThrow(why);
  });
});

describe('parseLogLevel', () => {
  it('reads a default level and a per-logger level, case-insensitively', () => {
    expect(parseLogLevel('DEBUG')).toEqual({ level: 'debug' });
    expect(parseLogLevel('planner:=warn')).toEqual({ logger: 'planner', level: 'warn' });
  });
  it('rejects an unknown level naming the valid ones', () => {
    expect(() => parseLogLevel('loud')).toThrow(/'loud'.*debug, info, warn, error, fatal/);
  });
});

describe('parseRosArgs', () => {
  it('collects every kind of ROS argument and keeps the rest', () => {
    const a = parseRosArgs([
      'node_exe', '--foo', '--ros-args', '-r', 'a:=b', '--remap', '__ns:=/x', '-p', 'rate:=10', '--param', 'n:=x',
      '--params-file', '/tmp/p.yaml', '--log-level', 'debug', '-e', '/enc', '--disable-rosout-logs', '--', 'tail',
      '--ros-args', '--enclave', '/enc2', '--log-config-file', 'log.conf', '--enable-stdout-logs',
    ]);
    expect(a.nonRosArgs).toEqual(['node_exe', '--foo', 'tail']);
    expect(a.remaps.map((r) => r.text)).toEqual(['a:=b', '__ns:=/x']);
    expect(a.params.map((p) => p.name)).toEqual(['rate', 'n']);
    expect(a.paramsFiles).toEqual(['/tmp/p.yaml']);
    expect(a.logLevels).toEqual([{ level: 'debug' }]);
    expect(a.enclave).toBe('/enc2');
    expect(a.rosoutLogs).toBe(false);
    expect(a.stdoutLogs).toBe(true);
    expect(a.logConfigFile).toBe('log.conf');
  });
  it('returns a plain object with nothing ROS when there is no --ros-args', () => {
    expect(parseRosArgs(['x', '-r', 'a:=b'])).toEqual({ remaps: [], params: [], paramsFiles: [], logLevels: [], nonRosArgs: ['x', '-r', 'a:=b'] });
  });
  it('rejects unknown flags inside --ros-args, naming them', () => {
    expect(() => parseRosArgs(['--ros-args', '--frobnicate', '-x'])).toThrow("Found unknown ROS arguments: ['--frobnicate', '-x']");
  });
  it.each([['-r'], ['-p'], ['--params-file'], ['--log-level'], ['-e']])('rejects a trailing %s without its value', (flag) => {
    expect(() => parseRosArgs(['--ros-args', flag])).toThrow(`Couldn't parse trailing ${flag} flag`);
    expect(() => parseRosArgs(['--ros-args', flag, '--'])).toThrow("found '--'");
  });
  it('reports the argument index of a malformed rule', () => {
    expect(() => parseRosArgs(['exe', '--ros-args', '-r', 'nonsense'])).toThrow(/nonsense.*\(argument 3\)/);
  });
});
