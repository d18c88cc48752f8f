/**
 * The Kubernetes manifests as `kubectl kustomize` renders them, offline,
 * for every overlay under deploy/overlays: every container is probed on
 * `/healthz` and `/readyz`, has requests and limits and a pinned image; no
 * secret value is written in them; autoscalers, disruption budgets and
 * services point at workloads that exist; every command is a real `tpay`
 * role command with options that command has; and the config file in the
 * ConfigMap validates with this build, its ports the ones the containers
 * open. The Dockerfile is linted for the obvious (non-root, pinned base).
 */
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { loadAll } from 'js-yaml';
import { loadConfig, type Config } from '../../src/config/config.js';
import { createProgram } from '../../src/cli/program.js';
import { tempDir } from '../support/temp-dir.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const DEPLOY = join(ROOT, 'deploy');

type Obj = Record<string, unknown>;
interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  spec?: Obj;
  data?: Record<string, string>;
  stringData?: Record<string, string>;
}
interface Port {
  name?: string;
  containerPort: number;
}
interface Probe {
  httpGet?: { path: string; port: string | number };
}
interface Container {
  name: string;
  image: string;
  args?: string[];
  command?: string[];
  ports?: Port[];
  env?: { name: string; value?: string }[];
  envFrom?: { secretRef?: { name: string; optional?: boolean }; configMapRef?: { name: string } }[];
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  volumeMounts?: { name: string; mountPath: string }[];
}
interface PodSpec {
  containers: Container[];
  initContainers?: Container[];
  volumes?: { name: string; configMap?: { name: string }; secret?: { secretName: string }; persistentVolumeClaim?: { claimName: string } }[];
}
interface Workload {
  obj: K8sObject;
  labels: Record<string, string>;
  pod: PodSpec;
}

/** kubectl on PATH (Debian's kubernetes-client installs /usr/bin/kubectl; scripts/ensure-system-deps.sh installs it). */
function kubectl(): string {
  for (const dir of (process.env['PATH'] ?? '').split(delimiter)) {
    const p = join(dir, 'kubectl');
    if (dir !== '' && existsSync(p)) return p;
  }
  assert.fail('kubectl is not installed: the manifests cannot be rendered (scripts/ensure-system-deps.sh installs kubernetes-client)');
}

function render(dir: string): K8sObject[] {
  const out = execFileSync(kubectl(), ['kustomize', dir], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 << 20 });
  return loadAll(out).filter((d): d is K8sObject => typeof d === 'object' && d !== null);
}

function workloads(objs: readonly K8sObject[]): Workload[] {
  const out: Workload[] = [];
  for (const obj of objs) {
    let template: { metadata?: { labels?: Record<string, string> }; spec: PodSpec } | undefined;
    if (obj.kind === 'Deployment' || obj.kind === 'StatefulSet' || obj.kind === 'DaemonSet') template = (obj.spec as { template: typeof template }).template;
    else if (obj.kind === 'CronJob') template = (obj.spec as { jobTemplate: { spec: { template: typeof template } } }).jobTemplate.spec.template;
    else if (obj.kind === 'Job') template = (obj.spec as { template: typeof template }).template;
    if (template !== undefined) out.push({ obj, labels: template.metadata?.labels ?? {}, pod: template.spec });
  }
  return out;
}

function matches(selector: Record<string, string>, labels: Record<string, string>): boolean {
  const keys = Object.keys(selector);
  return keys.length > 0 && keys.every((k) => labels[k] === selector[k]);
}

/** The command path and options of `args` in the CLI, or a reason they are not one. */
function resolveCommand(args: readonly string[]): { path: string[]; options: string[]; configFile: string | null } {
  let cmd: Command = createProgram();
  const path: string[] = [];
  const options: string[] = [];
  let configFile: string | null = null;
  const known = (c: Command, flag: string): { takesValue: boolean } | null => {
    for (let at: Command | null = c; at !== null; at = at.parent) {
      const o = at.options.find((x) => x.long === flag || x.short === flag);
      if (o !== undefined) return { takesValue: o.required || o.optional };
    }
    return null;
  };
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a.startsWith('-')) {
      const [flag, inline] = a.split('=', 2) as [string, string | undefined];
      const o = known(cmd, flag);
      assert.ok(o !== null, `option ${flag} is not an option of 'tpay ${path.join(' ')}' (args ${JSON.stringify(args)})`);
      options.push(flag);
      const value = o.takesValue && inline === undefined ? args[++i] : inline;
      if (flag === '--config') configFile = value ?? null;
      continue;
    }
    const sub = cmd.commands.find((c) => c.name() === a || c.aliases().includes(a));
    assert.ok(sub !== undefined, `'${a}' is not a command of 'tpay ${path.join(' ')}' (args ${JSON.stringify(args)})`);
    cmd = sub;
    path.push(sub.name());
  }
  assert.equal(cmd.commands.length, 0, `'tpay ${path.join(' ')}' needs a sub-command (args ${JSON.stringify(args)})`);
  return { path, options, configFile };
}

const ROLE_COMMANDS = ['run', 'ingest', 'stream', 'api', 'batch forecasts', 'batch reconcile', 'batch compact'];

/** The ports a role listens on, from its config. */
function rolePorts(role: string, config: Config): number[] {
  if (role === 'ingest' || role === 'run') return [config.ingest.tcpPort, config.api.port];
  if (role === 'api') return [config.api.port];
  if (role === 'stream') return [config.stream.healthPort];
  assert.ok(config.batch.healthPort !== null, `${role}: the config sets no batch.healthPort, so its probes have nothing to answer them`);
  return [config.batch.healthPort];
}

function checkOverlay(name: string, objs: readonly K8sObject[]): void {
  const byKind = (kind: string): K8sObject[] => objs.filter((o) => o.kind === kind);
  const w = workloads(objs);
  assert.ok(w.length > 0, `${name}: no workloads rendered`);
  for (const o of objs) assert.ok(o.metadata.namespace !== undefined, `${name}: ${o.kind}/${o.metadata.name} has no namespace`);

  // Secrets are referenced, never written into the manifests.
  for (const s of byKind('Secret')) assert.fail(`${name}: Secret/${s.metadata.name} is inlined in the manifests (keys ${Object.keys({ ...s.data, ...s.stringData }).join(', ')})`);
  const deployDoc = readFileSync(join(ROOT, 'docs', 'deploy.md'), 'utf8');
  const configMaps = new Map(byKind('ConfigMap').map((c) => [c.metadata.name, c]));
  const claims = new Set(byKind('PersistentVolumeClaim').map((c) => c.metadata.name));
  const roles = new Set<string>();

  for (const { obj, pod } of w) {
    const where = `${name}: ${obj.kind}/${obj.metadata.name}`;
    for (const v of pod.volumes ?? []) {
      if (v.configMap !== undefined) assert.ok(configMaps.has(v.configMap.name), `${where}: volume ${v.name} names ConfigMap ${v.configMap.name}, which is not rendered`);
      if (v.persistentVolumeClaim !== undefined) assert.ok(claims.has(v.persistentVolumeClaim.claimName), `${where}: volume ${v.name} names claim ${v.persistentVolumeClaim.claimName}, which is not rendered`);
      if (v.secret !== undefined) assert.ok(deployDoc.includes(v.secret.secretName), `${where}: Secret ${v.secret.secretName} is not described in docs/deploy.md`);
    }
    for (const c of [...(pod.initContainers ?? []), ...pod.containers]) {
      const at = `${where} container ${c.name}`;
      // A pinned image: a tag other than latest, or a digest.
      const m = /^([^@]+?)(?::([A-Za-z0-9_][A-Za-z0-9_.-]{0,127}))?(?:@sha256:[0-9a-f]{64})?$/.exec(c.image);
      assert.ok(m !== null, `${at}: image '${c.image}' is not an image reference`);
      const digest = c.image.includes('@sha256:');
      assert.ok(digest || (m[2] !== undefined && m[2] !== 'latest'), `${at}: image '${c.image}' is not pinned (no tag, or :latest)`);

      const declared = new Map((c.ports ?? []).map((p) => [p.name ?? '', p.containerPort]));
      const portOf = (p: string | number): number | undefined => (typeof p === 'number' ? p : declared.get(p));
      for (const [kind, path] of [['livenessProbe', '/healthz'], ['readinessProbe', '/readyz']] as const) {
        const probe = c[kind];
        assert.ok(probe?.httpGet !== undefined, `${at}: no HTTP ${kind}`);
        assert.equal(probe.httpGet.path, path, `${at}: ${kind} path`);
        assert.ok(portOf(probe.httpGet.port) !== undefined, `${at}: ${kind} port ${String(probe.httpGet.port)} is not a declared container port`);
      }
      for (const k of ['requests', 'limits'] as const) {
        for (const r of ['cpu', 'memory']) assert.ok(c.resources?.[k]?.[r] !== undefined, `${at}: no ${r} ${k}`);
      }
      for (const e of c.envFrom ?? []) {
        if (e.secretRef !== undefined) assert.ok(deployDoc.includes(e.secretRef.name), `${at}: Secret ${e.secretRef.name} is referenced but not described in docs/deploy.md`);
        if (e.configMapRef !== undefined) assert.ok(configMaps.has(e.configMapRef.name), `${at}: ConfigMap ${e.configMapRef.name} is not rendered`);
      }

      // The command: the image's entrypoint is `tpay`, so args are a tpay command line.
      assert.equal(c.command, undefined, `${at}: overrides the image's entrypoint`);
      const cmd = resolveCommand(c.args ?? []);
      const role = cmd.path.join(' ');
      assert.ok(ROLE_COMMANDS.includes(role), `${at}: 'tpay ${role}' is not a role command (${ROLE_COMMANDS.join(', ')})`);
      roles.add(role);
      // Its config file is the ConfigMap's, valid for this build, with the ports the container opens.
      assert.ok(cmd.configFile !== null, `${at}: no --config`);
      const mount = (c.volumeMounts ?? []).find((v) => cmd.configFile!.startsWith(`${v.mountPath}/`));
      assert.ok(mount !== undefined, `${at}: --config ${cmd.configFile} is on no mounted volume`);
      const volume = (pod.volumes ?? []).find((v) => v.name === mount.name);
      const cm = volume?.configMap === undefined ? undefined : configMaps.get(volume.configMap.name);
      const text = cm?.data?.[cmd.configFile.slice(mount.mountPath.length + 1)];
      assert.ok(text !== undefined, `${at}: --config ${cmd.configFile} is not a file of a ConfigMap`);
      const config = validConfig(text, Object.fromEntries((c.env ?? []).filter((e) => e.name.startsWith('TPAY_')).map((e) => [e.name, e.value ?? ''])), at);
      for (const p of rolePorts(role.split(' ')[0]!, config)) assert.ok([...declared.values()].includes(p), `${at}: the config has it listen on ${String(p)}, which the container does not declare`);
      assert.ok(config.ingest.host !== '127.0.0.1' && config.api.host !== '127.0.0.1', `${at}: listening on loopback only, probes and services cannot reach it`);
    }
  }
  for (const r of ['ingest', 'stream', 'api', 'batch forecasts', 'batch reconcile', 'batch compact']) assert.ok(roles.has(r), `${name}: no workload runs 'tpay ${r}'`);

  const deployments = new Map(byKind('Deployment').map((d) => [d.metadata.name, d]));
  for (const h of byKind('HorizontalPodAutoscaler')) {
    const s = h.spec as { scaleTargetRef: { kind: string; name: string; apiVersion: string }; minReplicas: number; maxReplicas: number };
    const target = deployments.get(s.scaleTargetRef.name);
    assert.ok(s.scaleTargetRef.kind === 'Deployment' && target !== undefined, `${name}: HPA ${h.metadata.name} targets ${s.scaleTargetRef.kind}/${s.scaleTargetRef.name}, which is not rendered`);
    assert.ok(s.minReplicas >= 1 && s.minReplicas <= s.maxReplicas, `${name}: HPA ${h.metadata.name}: min ${String(s.minReplicas)} max ${String(s.maxReplicas)}`);
    const replicas = (target.spec as { replicas?: number }).replicas ?? 1;
    assert.ok(replicas >= s.minReplicas && replicas <= s.maxReplicas, `${name}: Deployment ${target.metadata.name} has ${String(replicas)} replicas, outside its HPA's ${String(s.minReplicas)}–${String(s.maxReplicas)}`);
  }
  assert.ok(byKind('HorizontalPodAutoscaler').length >= 2, `${name}: HPAs for ingest and api`);
  const pdbs = byKind('PodDisruptionBudget');
  assert.ok(pdbs.length >= 3, `${name}: PDBs for ingest, stream and api`);
  for (const p of pdbs) {
    const sel = (p.spec as { selector: { matchLabels: Record<string, string> } }).selector.matchLabels;
    assert.ok(w.some((x) => x.obj.kind === 'Deployment' && matches(sel, x.labels)), `${name}: PDB ${p.metadata.name} selects no pods (${JSON.stringify(sel)})`);
  }
  for (const s of byKind('Service')) {
    const spec = s.spec as { selector: Record<string, string>; ports: { name: string; targetPort: string | number }[] };
    const pods = w.filter((x) => matches(spec.selector, x.labels));
    assert.ok(pods.length > 0, `${name}: Service ${s.metadata.name} selects no pods`);
    for (const port of spec.ports) {
      const open = pods.some((x) => x.pod.containers.some((c) => (c.ports ?? []).some((cp) => cp.name === port.targetPort || cp.containerPort === port.targetPort)));
      assert.ok(open, `${name}: Service ${s.metadata.name} port ${port.name} targets ${String(port.targetPort)}, which no selected container opens`);
    }
  }
}

function validConfig(text: string, env: Record<string, string>, where: string): Config {
  const dir = tempDir('tpay-deploy-config-');
  try {
    const file = join(dir.path, 'config.json');
    writeFileSync(file, text);
    return loadConfig({ file, env });
  } catch (err) {
    return assert.fail(`${where}: its config file does not validate: ${(err as Error).message}`);
  } finally {
    void dir[Symbol.asyncDispose]();
  }
}

describe('Kubernetes manifests', () => {
  const overlays = readdirSync(join(DEPLOY, 'overlays')).sort();

  it('has a dev and a prod overlay', () => {
    assert.deepEqual(overlays, ['dev', 'prod']);
  });

  for (const overlay of overlays) {
    it(`${overlay}: renders offline; probes, resources, pinned images, referenced secrets, real targets and real role commands`, () => {
      checkOverlay(overlay, render(join(DEPLOY, 'overlays', overlay)));
    });
  }

  it('dev runs one replica of each role', () => {
    const objs = render(join(DEPLOY, 'overlays', 'dev'));
    for (const d of objs.filter((o) => o.kind === 'Deployment')) assert.equal((d.spec as { replicas?: number }).replicas, 1, `Deployment ${d.metadata.name}`);
    for (const h of objs.filter((o) => o.kind === 'HorizontalPodAutoscaler')) assert.equal((h.spec as { maxReplicas: number }).maxReplicas, 1, `HPA ${h.metadata.name}`);
  });

  it('a manifest that breaks the rules is caught: the checks can fail', () => {
    const objs = render(join(DEPLOY, 'overlays', 'dev'));
    const broken: [string, (c: Container) => void, RegExp][] = [
      ['latest image', (c) => (c.image = 'tpay:latest'), /not pinned/],
      ['untagged image', (c) => (c.image = 'registry.example.com/tpay'), /not pinned/],
      ['no readiness probe', (c) => delete c.readinessProbe, /no HTTP readinessProbe/],
      ['unknown command', (c) => (c.args = ['--config', '/etc/tpay/config.json', 'ingestt']), /not a command/],
      ['unknown option', (c) => (c.args = ['--config', '/etc/tpay/config.json', 'stream', '--tcp-port', '1']), /not an option/],
      ['a tool, not a role', (c) => (c.args = ['--config', '/etc/tpay/config.json', 'log', 'verify']), /not a role command/],
      ['no limits', (c) => delete c.resources!.limits, /no cpu limits/],
      ['an unknown config key', (c) => c.env!.push({ name: 'TPAY_ADAPTERS__LOG', value: 'kafka' }), /does not validate: .*adapters\.log/],
    ];
    for (const [what, breakIt, message] of broken) {
      const copy = structuredClone(objs);
      const stream = workloads(copy).find((x) => x.obj.metadata.name === 'tpay-stream')!;
      breakIt(stream.pod.containers[0]!);
      assert.throws(() => checkOverlay('dev', copy), message, what);
    }
    const inlined: K8sObject = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'x', namespace: 'tpay-dev' }, stringData: { TPAY_ADMIN_KEY: 'k' } };
    assert.throws(() => checkOverlay('dev', [...objs, inlined]), /inlined/);
    checkOverlay('dev', objs);
  });

  it('the engines come from their official Helm charts, outside the offline overlays', () => {
    const [k] = loadAll(readFileSync(join(DEPLOY, 'engines', 'kustomization.yaml'), 'utf8')) as [{ helmCharts: { name: string; repo: string }[] }];
    const charts = k.helmCharts.map((c) => `${c.repo} ${c.name}`);
    assert.deepEqual(charts, ['https://nats-io.github.io/k8s/helm/charts/ nats', 'oci://ghcr.io/clickhouse clickhouse-operator-helm']);
    for (const o of overlays) assert.ok(!readFileSync(join(DEPLOY, 'overlays', o, 'kustomization.yaml'), 'utf8').includes('engines'), `${o} must render offline`);
  });
});

describe('Dockerfile', () => {
  const text = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
  const lines = text.split('\n').filter((l) => !l.trimStart().startsWith('#'));

  it('builds in two stages from a base pinned by exact version, runs as a non-root user, enters at the tpay CLI', () => {
    const froms = lines.filter((l) => l.startsWith('FROM '));
    assert.ok(froms.length >= 2, 'multi-stage');
    const arg = /^ARG NODE_IMAGE=(\S+)$/m.exec(text);
    for (const f of froms) {
      const image = f.split(/\s+/)[1]!.replace('${NODE_IMAGE}', arg?.[1] ?? '');
      assert.match(image, /^node:\d+\.\d+\.\d+-bookworm-slim(@sha256:[0-9a-f]{64})?$/, `${f}: base pinned to an exact Node release`);
    }
    const users = lines.filter((l) => l.startsWith('USER '));
    assert.equal(users.length, 1);
    assert.ok(!/^USER (0|root)\b/.test(users[0]!), `${users[0]!}: not root`);
    assert.ok(lines.lastIndexOf(users[0]!) > lines.findLastIndex((l) => l.startsWith('FROM ')), 'USER is set in the runtime stage');
    assert.ok(lines.some((l) => l.includes('npm ci --omit=dev')), 'the runtime stage installs production dependencies only');
    assert.ok(lines.includes('ENTRYPOINT ["node", "dist/src/cli/main.js"]'));
    assert.ok(existsSync(join(ROOT, 'dist', 'src', 'cli', 'main.js')), 'the entrypoint is what the build makes');
  });

  it('keeps local data, builds and secrets out of the build context', () => {
    const ignore = readFileSync(join(ROOT, '.dockerignore'), 'utf8').split('\n');
    for (const p of ['node_modules', 'dist', '.git', 'tpay-data', '**/*.env']) assert.ok(ignore.includes(p), `.dockerignore lists ${p}`);
  });
});
