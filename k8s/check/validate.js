#!/usr/bin/env node
// Checks the rendered overlays (k8s/check.sh renders them with kustomize and
// calls this). Every failure names the overlay, the object and the field.
//
//   1. Every object against the Kubernetes API schema of its kind: the
//      OpenAPI schemas of Kubernetes 1.27 that the npm package
//      kubernetes-models ships, made strict the way kubeconform's strict
//      mode is (a field the API does not have is an error), checked by ajv.
//   2. Every flag a manifest passes to a binary (container args, a script's
//      command line, KOMMUNE_<FLAG> variables) is one `<binary> --help`
//      lists, and the binary accepts the values (it parses them under
//      --help and complains on standard error).
//   3. What the issue asks of the manifests: probes, resources, security
//      context, Services and their ports, the addresses in the
//      configurations, replicas, HorizontalPodAutoscalers,
//      PodDisruptionBudgets, the Ingress, the databases per overlay.
//   4. The NetworkPolicies, evaluated: who can reach whom, against the list
//      in k8s/base/network-policies.yaml.
//   5. Each pod once for real, in a sandbox folder: its volumes made from
//      the rendered ConfigMaps and stand-in Secrets, its init containers
//      run, each server started with the manifest's args and environment
//      (listening on 127.0.0.1:0, backends pointed at 127.0.0.1:1) until it
//      serves, then stopped with SIGTERM; the gateway checks its final
//      configuration with --check_config.
//   6. The image files k8s/images/<binary>.Dockerfile: target, entrypoint,
//      user, ports, and that their runtime packages bring every shared
//      library the binary links.
//
// Usage: node validate.js --tools=DIR --bin=DIR --root=DIR --k8s=DIR
//          --work=DIR --secrets=FILE NAME=RENDERED.yaml...
'use strict';

const cp = require('child_process');
const fs = require('fs');
const path = require('path');
const { createRequire } = require('module');

// ---------------------------------------------------------------- arguments
const opts = { overlays: [] };
for (const arg of process.argv.slice(2)) {
  const m = /^--([a-z0-9]+)=(.*)$/.exec(arg);
  if (m) opts[m[1]] = m[2];
  else if (/^[a-z]+=/.test(arg)) {
    const [name, file] = arg.split(/=(.*)/s);
    opts.overlays.push({ name, file });
  } else throw new Error(`bad argument ${arg}`);
}
for (const k of ['tools', 'bin', 'root', 'k8s', 'work', 'secrets']) {
  if (!opts[k]) throw new Error(`--${k}= is required`);
}
const toolsRequire = createRequire(path.join(opts.tools, 'package.json'));
const YAML = toolsRequire('yaml');
const Ajv = toolsRequire('ajv').default;

// ------------------------------------------------------------------ results
let passed = 0;
let failed = 0;
function ok(what) {
  passed++;
  console.log(`ok    ${what}`);
}
function fail(what, problems) {
  failed++;
  console.log(`FAIL  ${what}`);
  for (const p of problems) console.log(`        ${p}`);
}
// check(what, fn): fn returns a list of problems (strings); none is a pass.
function check(what, fn) {
  let problems;
  try {
    problems = fn() || [];
  } catch (e) {
    problems = [`${e.stack || e}`];
  }
  if (problems.length === 0) ok(what);
  else fail(what, problems);
}

// The binaries, and the images that hold them (k8s/images/<binary>.Dockerfile).
const BINARIES = ['policy_server', 'hearing_server', 'followup_server',
  'esdh_connector', 'gateway'];
function binaryOfImage(image) {
  // registry/kommune/policy-server:1.0.0 -> policy_server
  const last = image.split('/').pop().split('@')[0].split(':')[0];
  return last.replace(/-/g, '_');
}
const kindName = (o) => `${o.kind}/${o.metadata && o.metadata.name}`;

// -------------------------------------------------------------- the schemas
// kubernetes-models keeps each definition of the Kubernetes OpenAPI document
// as a JSON schema in _schemas/*.js, registered through
// @kubernetes-models/validate. A stand-in for that module collects them.
function loadSchemas() {
  const modules = path.join(opts.tools, 'node_modules');
  const collected = new Map();
  const stub = {
    register(id, schema) { collected.set(id, schema); },
    validate() {},
  };
  // Every copy of @kubernetes-models/validate (hoisted or nested).
  const stubAt = (dir) => {
    const p = path.join(dir, '@kubernetes-models', 'validate');
    if (!fs.existsSync(path.join(p, 'package.json'))) return;
    const file = createRequire(path.join(p, 'package.json'))
      .resolve('@kubernetes-models/validate');
    require.cache[file] = { id: file, filename: file, loaded: true, exports: stub };
  };
  stubAt(modules);
  for (const pkg of ['kubernetes-models', '@kubernetes-models/apimachinery']) {
    stubAt(path.join(modules, pkg, 'node_modules'));
  }
  for (const pkg of ['@kubernetes-models/apimachinery', 'kubernetes-models']) {
    const dir = path.join(modules, pkg, '_schemas');
    for (const f of fs.readdirSync(dir)) {
      if (!f.endsWith('.js')) continue;
      const m = require(path.join(dir, f));
      if (typeof m.addSchema === 'function') m.addSchema();
    }
  }
  return collected;
}

// Strict like kubeconform -strict: objects with listed properties take no
// others; "X or null" becomes X (the API server drops nulls, kustomize
// writes none).
function strictify(node) {
  if (Array.isArray(node)) return node.map(strictify);
  if (!node || typeof node !== 'object') return node;
  if (Array.isArray(node.oneOf) && node.oneOf.length === 2) {
    const nonNull = node.oneOf.filter((s) => !(s && s.type === 'null'));
    if (nonNull.length === 1) {
      const rest = { ...node };
      delete rest.oneOf;
      return strictify({ ...rest, ...nonNull[0] });
    }
  }
  const out = {};
  for (const [k, v] of Object.entries(node)) {
    if (k === 'nullable') continue;
    if (k === 'properties') {
      out.properties = {};
      for (const [p, s] of Object.entries(v)) out.properties[p] = strictify(s);
    } else {
      out[k] = strictify(v);
    }
  }
  if (out.properties && out.additionalProperties === undefined &&
      !out['x-kubernetes-preserve-unknown-fields']) {
    out.additionalProperties = false;
  }
  return out;
}

function makeValidators() {
  const raw = loadSchemas();
  const ajv = new Ajv({ allErrors: true, strict: false });
  const int = (bits) => ({
    type: 'number',
    validate: (n) => Number.isInteger(n) &&
      (bits === 64 ? Number.isSafeInteger(n) : n >= -(2 ** 31) && n < 2 ** 31),
  });
  ajv.addFormat('int32', int(32));
  ajv.addFormat('int64', int(64));
  ajv.addFormat('double', { type: 'number', validate: () => true });
  ajv.addFormat('byte', /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/);
  ajv.addFormat('date-time', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/);
  ajv.addFormat('quantity',
    /^[+-]?(\d+|\d+\.\d+|\d+\.|\.\d+)([KMGTPE]i|[YZEPTGMkhdcmunpfazy]|da|[eE][+-]?(\d+|\d+\.\d+|\d+\.|\.\d+))?$/);
  const byKind = new Map();
  for (const [id, schema] of raw) {
    ajv.addSchema(strictify(schema), id);
    const p = schema.properties || {};
    if (p.apiVersion && p.apiVersion.enum && p.kind && p.kind.enum) {
      byKind.set(`${p.apiVersion.enum[0]}|${p.kind.enum[0]}`, id);
    }
  }
  return { ajv, byKind, count: raw.size };
}

// "/spec/template/spec/containers/0/ports" -> spec.template.spec
// .containers[name=gateway].ports, walking the object for names.
function fieldPath(obj, pointer, extra) {
  const parts = pointer.split('/').slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (extra !== undefined) parts.push(extra);
  let out = '';
  let cur = obj;
  for (const part of parts) {
    if (Array.isArray(cur)) {
      const el = cur[Number(part)];
      out += el && typeof el === 'object' && el.name !== undefined
        ? `[name=${el.name}]` : `[${part}]`;
    } else {
      out += (out ? '.' : '') + part;
    }
    cur = cur && typeof cur === 'object' ? cur[part] : undefined;
  }
  return out || '(the object)';
}

function schemaProblems(validators, obj) {
  const id = validators.byKind.get(`${obj.apiVersion}|${obj.kind}`);
  if (!id) return [`no Kubernetes 1.27 schema for apiVersion ${obj.apiVersion} kind ${obj.kind}`];
  const validate = validators.ajv.getSchema(id);
  if (validate(obj)) return [];
  const byPath = new Map();
  for (const e of validate.errors) {
    let where;
    let what;
    if (e.keyword === 'additionalProperties') {
      where = fieldPath(obj, e.instancePath, e.params.additionalProperty);
      what = 'is not a field of the Kubernetes API here (unknown field)';
    } else if (e.keyword === 'required') {
      where = fieldPath(obj, e.instancePath, e.params.missingProperty);
      what = 'is required';
    } else {
      where = fieldPath(obj, e.instancePath);
      what = e.keyword === 'type' ? `must be ${e.params.type}` : e.message;
    }
    if (!byPath.has(where)) byPath.set(where, []);
    byPath.get(where).push({ keyword: e.keyword, what });
  }
  const problems = [];
  for (const [where, errs] of byPath) {
    // int-or-string and friends: "must be string", "must be integer" and
    // the oneOf around them say one thing.
    const types = errs.filter((e) => e.keyword === 'type').map((e) => e.what.slice(8));
    const rest = errs.filter((e) => e.keyword !== 'type' && e.keyword !== 'oneOf');
    if (types.length) problems.push(`${where}: must be ${[...new Set(types)].join(' or ')}`);
    for (const e of rest) problems.push(`${where}: ${e.what}`);
    if (!types.length && !rest.length) problems.push(`${where}: ${errs[0].what}`);
  }
  return [...new Set(problems)];
}

// -------------------------------------------------------------- flag checks
const helpCache = new Map();
function helpFlags(binary) {
  if (!helpCache.has(binary)) {
    const r = cp.spawnSync(path.join(opts.bin, binary), ['--help'], { encoding: 'utf8' });
    const flags = new Set();
    for (const m of (r.stdout || '').matchAll(/^\s+--([A-Za-z0-9_]+) \(/gm)) flags.add(m[1]);
    if (flags.size === 0) throw new Error(`${binary} --help listed no flags: ${r.stderr}`);
    helpCache.set(binary, flags);
  }
  return helpCache.get(binary);
}

// The command lines a container runs: [{binary, args}] where args are the
// words after the binary. A shell script (sh -c) is read line by line.
function invocations(c) {
  const binary = binaryOfImage(c.image);
  const words = [...(c.command || []), ...(c.args || [])];
  if (!c.command) return [{ binary, args: c.args || [], direct: true }];
  const shell = /(^|\/)(ba|da)?sh$/.test(c.command[0]);
  if (!shell) {
    const b = path.basename(c.command[0]);
    return [{ binary: b, args: words.slice(1), direct: true }];
  }
  const script = words.slice(words.indexOf('-c') + 1).join('\n').replace(/\\\n/g, ' ');
  const found = [];
  for (const line of script.split('\n')) {
    const tokens = line.trim().split(/\s+/);
    for (let i = 0; i < tokens.length; i++) {
      const b = path.basename(tokens[i]);
      if (!BINARIES.includes(b) && b !== 'devtoken' && b !== 'kommunectl') continue;
      const args = [];
      for (let j = i + 1; j < tokens.length && !/^(;|&&|\|\||\||>.*)$/.test(tokens[j]); j++) {
        args.push(tokens[j]);
      }
      found.push({ binary: b, args, direct: false });
    }
  }
  return found;
}

function flagProblems(c, kind) {
  const problems = [];
  const where = `${kind}[name=${c.name}]`;
  const calls = invocations(c);
  if (calls.length === 0) problems.push(`${where}: runs none of the suite's binaries`);
  const envFlags = new Map();
  (c.env || []).forEach((e) => {
    if (!e.name.startsWith('KOMMUNE_')) return;
    envFlags.set(e.name.slice('KOMMUNE_'.length).toLowerCase(), e);
  });
  for (const call of calls) {
    if (!fs.existsSync(path.join(opts.bin, call.binary))) {
      problems.push(`${where}: image ${c.image} names ${call.binary}, which is not in ${opts.bin}`);
      continue;
    }
    const known = helpFlags(call.binary);
    const given = new Set();
    call.args.forEach((a) => {
      const m = /^--?([^=]+)(=.*)?$/.exec(a);
      if (!m) return;
      const flag = m[1];
      given.add(flag);
      if (!known.has(flag)) {
        problems.push(`${where}.args: --${flag} is not a flag of ${call.binary} (${call.binary} --help)`);
      }
    });
    if (!call.direct) continue;
    for (const [flag, e] of envFlags) {
      if (!known.has(flag)) {
        problems.push(`${where}.env[name=${e.name}]: ${call.binary} has no flag --${flag} (${call.binary} --help)`);
      } else if (given.has(flag)) {
        problems.push(`${where}.env[name=${e.name}]: --${flag} is given in args too (the command line would win)`);
      }
    }
    // The binary parses the values: environment first, then the command
    // line; --help then prints usage, and a bad value is on stderr.
    const env = { PATH: process.env.PATH };
    for (const [, e] of envFlags) if (e.value !== undefined) env[e.name] = e.value;
    const args = call.args.filter((a) => /^--[a-z_]+=/.test(a));
    const r = cp.spawnSync(path.join(opts.bin, call.binary), [...args, '--help'],
      { encoding: 'utf8', env, timeout: 20000 });
    if ((r.stderr || '').trim()) {
      problems.push(`${where}: ${call.binary} refuses the manifest's flags: ${r.stderr.trim()}`);
    }
  }
  return problems;
}

// ---------------------------------------------------------------- selectors
function matchesSelector(sel, labels) {
  if (!sel) return false;
  for (const [k, v] of Object.entries(sel.matchLabels || {})) {
    if (labels[k] !== v) return false;
  }
  for (const e of sel.matchExpressions || []) {
    const has = Object.prototype.hasOwnProperty.call(labels, e.key);
    if (e.operator === 'In' && !(has && e.values.includes(labels[e.key]))) return false;
    if (e.operator === 'NotIn' && has && e.values.includes(labels[e.key])) return false;
    if (e.operator === 'Exists' && !has) return false;
    if (e.operator === 'DoesNotExist' && has) return false;
  }
  return true;
}
const podLabels = (d) => (d.spec.template.metadata || {}).labels || {};
const allContainers = (d) => [
  ...(d.spec.template.spec.initContainers || []).map((c) => ({ c, kind: 'initContainers' })),
  ...d.spec.template.spec.containers.map((c) => ({ c, kind: 'containers' })),
];
function containerPort(d, port) {
  for (const c of d.spec.template.spec.containers) {
    for (const p of c.ports || []) {
      if (p.name === port || p.containerPort === port) return p;
    }
  }
  return null;
}
const envValue = (c, name) => ((c.env || []).find((e) => e.name === name) || {});

// ------------------------------------------------------------- the addresses
// "dns:///policy.kommune.svc.cluster.local:50051" -> the Deployment and port
// it reaches. For a headless Service the port is the pod's own.
function resolveAddress(objs, address) {
  const m = /^(?:dns:\/\/\/)?([a-z0-9-]+)\.([a-z0-9-]+)\.svc\.cluster\.local:(\d+)$/.exec(address);
  if (!m) return { error: `"${address}" is not <service>.<namespace>.svc.cluster.local:<port> (with or without dns:///)` };
  const [, name, ns, portText] = m;
  const port = Number(portText);
  const svc = objs.find((o) => o.kind === 'Service' && o.metadata.name === name &&
    o.metadata.namespace === ns);
  if (!svc) return { error: `"${address}": no Service ${name} in namespace ${ns}` };
  const d = objs.find((o) => o.kind === 'Deployment' && o.metadata.namespace === ns &&
    matchesSelector({ matchLabels: svc.spec.selector }, podLabels(o)));
  if (!d) return { error: `"${address}": Service ${name} selects no Deployment` };
  if (svc.spec.clusterIP === 'None') {
    const p = containerPort(d, port);
    if (!p) return { error: `"${address}": Service ${name} is headless, so the port must be one of ${d.metadata.name}'s container ports, and ${port} is not` };
  } else {
    const sp = (svc.spec.ports || []).find((p) => p.port === port);
    if (!sp) return { error: `"${address}": Service ${name} has no port ${port}` };
  }
  return { deployment: d, port };
}

function configAddresses(text) {
  return [...text.matchAll(/\baddress(?:es)?:\s*"([^"]*)"/g)].map((m) => m[1]);
}

// ------------------------------------------------------------ network policy
// A small evaluator of NetworkPolicy (ingress and egress, pod and namespace
// selectors, ipBlock, named and numbered ports) over the suite's pods and a
// few stand-ins for the world around them.
function networkProblems(objs, overlay) {
  const ns = objs.find((o) => o.kind === 'Namespace').metadata.name;
  const pods = objs.filter((o) => o.kind === 'Deployment').map((d) => ({
    name: d.metadata.name, ns, labels: podLabels(d),
    ports: d.spec.template.spec.containers.flatMap((c) => (c.ports || []).map((p) => ({
      name: p.name, port: p.containerPort, protocol: p.protocol || 'TCP' }))),
  }));
  const world = [
    { name: 'ingress-controller', ns: 'ingress-nginx', labels: { 'app.kubernetes.io/name': 'ingress-nginx' }, ports: [] },
    { name: 'prometheus', ns: 'monitoring', labels: { 'app.kubernetes.io/name': 'prometheus' }, ports: [] },
    { name: 'cluster-dns', ns: 'kube-system', labels: { 'k8s-app': 'kube-dns' },
      ports: [{ port: 53, protocol: 'UDP' }, { port: 53, protocol: 'TCP' }] },
    { name: 'postgresql', ns: 'kommune-postgres', labels: { 'app.kubernetes.io/name': 'postgresql' },
      ports: [{ port: 5432, protocol: 'TCP' }] },
    { name: 'another-app', ns: 'default', labels: { app: 'shop' }, ports: [{ port: 8080, protocol: 'TCP' }] },
    { name: 'esdh-system', ip: '203.0.113.10', ports: [{ port: 443, protocol: 'TCP' }] },
  ];
  const everyone = [...pods, ...world];
  const policies = objs.filter((o) => o.kind === 'NetworkPolicy');
  const ipInCidr = (ip, cidr) => {
    const [base, bits] = cidr.split('/');
    const n = (a) => a.split('.').reduce((x, y) => x * 256 + Number(y), 0);
    const size = 2 ** (32 - Number(bits));
    return Math.floor(n(ip) / size) === Math.floor(n(base) / size);
  };
  const peerMatches = (peer, p, policyNs) => {
    if (peer.ipBlock) {
      return !!p.ip && ipInCidr(p.ip, peer.ipBlock.cidr) &&
        !(peer.ipBlock.except || []).some((c) => ipInCidr(p.ip, c));
    }
    if (!p.ns) return false;
    if (peer.namespaceSelector) {
      if (!matchesSelector(peer.namespaceSelector, { 'kubernetes.io/metadata.name': p.ns })) return false;
      return peer.podSelector ? matchesSelector(peer.podSelector, p.labels) : true;
    }
    return p.ns === policyNs && matchesSelector(peer.podSelector, p.labels);
  };
  const portMatches = (rulePorts, dst, port) => {
    if (!rulePorts || rulePorts.length === 0) return true;
    return rulePorts.some((rp) => {
      if ((rp.protocol || 'TCP') !== port.protocol) return false;
      if (rp.port === undefined) return true;
      if (typeof rp.port === 'string') return port.name === rp.port;
      return rp.endPort ? port.port >= rp.port && port.port <= rp.endPort : port.port === rp.port;
    });
  };
  const allowed = (direction, self, other, dst, port) => {
    if (!self.ns || self.ns !== ns) return true; // not governed here
    const type = direction === 'egress' ? 'Egress' : 'Ingress';
    const selecting = policies.filter((pol) => {
      const types = pol.spec.policyTypes || (pol.spec.egress ? ['Ingress', 'Egress'] : ['Ingress']);
      return pol.metadata.namespace === self.ns && types.includes(type) &&
        matchesSelector(pol.spec.podSelector, self.labels);
    });
    if (selecting.length === 0) return true;
    return selecting.some((pol) => (pol.spec[direction] || []).some((rule) => {
      const peers = rule[direction === 'egress' ? 'to' : 'from'];
      const peerOk = !peers || peers.length === 0 ||
        peers.some((peer) => peerMatches(peer, other, pol.metadata.namespace));
      return peerOk && portMatches(rule.ports, dst, port);
    }));
  };
  const actual = new Set();
  for (const src of everyone) {
    if (src.ip) continue;
    for (const dst of everyone) {
      if (dst === src || (src.ns !== ns && dst.ns !== ns)) continue;
      for (const port of dst.ports) {
        if (allowed('egress', src, dst, dst, port) && allowed('ingress', dst, src, dst, port)) {
          actual.add(`${src.name} -> ${dst.name}:${port.port}/${port.protocol}`);
        }
      }
    }
  }
  const expected = new Set([
    'ingress-controller -> gateway:8443/TCP', 'ingress-controller -> gateway:8080/TCP',
    'prometheus -> gateway:9090/TCP',
    'gateway -> policy:50051/TCP', 'gateway -> hearing:50052/TCP',
    'gateway -> followup:50053/TCP', 'gateway -> esdh-connector:50054/TCP',
    'hearing -> policy:50051/TCP', 'followup -> policy:50051/TCP',
    'esdh-connector -> policy:50051/TCP', 'esdh-connector -> hearing:50052/TCP',
    'esdh-connector -> followup:50053/TCP', 'esdh-connector -> esdh-system:443/TCP',
  ]);
  for (const p of pods) {
    expected.add(`${p.name} -> cluster-dns:53/UDP`);
    expected.add(`${p.name} -> cluster-dns:53/TCP`);
  }
  if (overlay === 'production') {
    for (const s of ['policy', 'hearing', 'followup', 'esdh-connector']) {
      expected.add(`${s} -> postgresql:5432/TCP`);
    }
  }
  const problems = [];
  for (const a of actual) if (!expected.has(a)) problems.push(`allowed, but should not be: ${a}`);
  for (const e of expected) if (!actual.has(e)) problems.push(`denied, but should be allowed: ${e}`);
  return problems;
}

// ------------------------------------------------------ manifest structure
function deploymentProblems(objs, d, overlay) {
  const problems = [];
  const spec = d.spec.template.spec;
  const psc = spec.securityContext || {};
  const volumes = new Map((spec.volumes || []).map((v) => [v.name, v]));
  for (const { c, kind } of allContainers(d)) {
    const w = `spec.template.spec.${kind}[name=${c.name}]`;
    const sc = c.securityContext || {};
    if (sc.allowPrivilegeEscalation !== false) problems.push(`${w}.securityContext.allowPrivilegeEscalation: must be false`);
    if (sc.readOnlyRootFilesystem !== true) problems.push(`${w}.securityContext.readOnlyRootFilesystem: must be true`);
    if (!((sc.capabilities || {}).drop || []).includes('ALL')) problems.push(`${w}.securityContext.capabilities.drop: must hold ALL`);
    if ((sc.runAsNonRoot ?? psc.runAsNonRoot) !== true) problems.push(`${w}.securityContext.runAsNonRoot: must be true (here or in the pod)`);
    if (((sc.seccompProfile || psc.seccompProfile) || {}).type !== 'RuntimeDefault') {
      problems.push(`${w}.securityContext.seccompProfile.type: must be RuntimeDefault (here or in the pod)`);
    }
    if (!(sc.runAsUser ?? psc.runAsUser)) problems.push(`${w}.securityContext.runAsUser: must be a non-zero uid (here or in the pod)`);
    const res = c.resources || {};
    for (const k of ['requests', 'limits']) {
      for (const r of ['cpu', 'memory']) {
        if (!(res[k] || {})[r]) problems.push(`${w}.resources.${k}.${r}: must be set`);
      }
    }
    for (const m of c.volumeMounts || []) {
      if (!volumes.has(m.name)) problems.push(`${w}.volumeMounts[name=${m.name}]: no such volume in spec.template.spec.volumes`);
    }
    if (kind === 'containers') {
      const binary = binaryOfImage(c.image);
      for (const probe of ['readinessProbe', 'livenessProbe']) {
        if (!c[probe]) problems.push(`${w}.${probe}: must be set`);
      }
      for (const probe of ['startupProbe', 'readinessProbe', 'livenessProbe']) {
        const p = c[probe];
        if (!p) continue;
        const port = (p.grpc || p.httpGet || p.tcpSocket || {}).port;
        if (port === undefined || !(c.ports || []).some((cp_) => cp_.containerPort === port || cp_.name === port)) {
          problems.push(`${w}.${probe}: port ${port} is not a port of the container`);
        }
      }
      if (binary !== 'gateway') {
        for (const probe of ['readinessProbe', 'livenessProbe']) {
          if (c[probe] && !c[probe].grpc) problems.push(`${w}.${probe}: must be a native gRPC probe (grpc.port): the server answers grpc.health.v1`);
        }
        const listen = envValue(c, 'KOMMUNE_LISTEN').value;
        const grpcPort = (c.ports || []).find((p) => p.name === 'grpc');
        if (!grpcPort) problems.push(`${w}.ports: needs a port named grpc`);
        else if (!listen || !listen.endsWith(`:${grpcPort.containerPort}`)) {
          problems.push(`${w}.env[name=KOMMUNE_LISTEN]: "${listen}" does not listen on the grpc port ${grpcPort.containerPort}`);
        }
        // The database of each overlay.
        const db = envValue(c, 'KOMMUNE_DATABASE');
        if (overlay === 'local') {
          const m = /^sqlite:\/\/(\/.*)$/.exec(db.value || '');
          if (!m) problems.push(`${w}.env[name=KOMMUNE_DATABASE]: the local overlay wants sqlite:///<file on a volume>, not ${JSON.stringify(db.value || db.valueFrom)}`);
          else {
            const mount = (c.volumeMounts || []).find((vm) => m[1].startsWith(`${vm.mountPath}/`));
            const vol = mount && volumes.get(mount.name);
            if (!vol || !vol.persistentVolumeClaim || mount.readOnly) {
              problems.push(`${w}.env[name=KOMMUNE_DATABASE]: ${m[1]} is not on a writable PersistentVolumeClaim mount`);
            }
          }
        }
        if (overlay === 'production' && !(db.valueFrom && db.valueFrom.secretKeyRef)) {
          problems.push(`${w}.env[name=KOMMUNE_DATABASE]: the production overlay takes the PostgreSQL URL from a Secret (valueFrom.secretKeyRef)`);
        }
      }
      for (const e of c.env || []) {
        if (/_ADDRESS$/.test(e.name) && e.value) {
          const r = resolveAddress(objs, e.value);
          if (r.error) problems.push(`${w}.env[name=${e.name}]: ${r.error}`);
        }
      }
    }
  }
  for (const v of spec.volumes || []) {
    if (v.configMap && !objs.some((o) => o.kind === 'ConfigMap' && o.metadata.name === v.configMap.name)) {
      problems.push(`spec.template.spec.volumes[name=${v.name}].configMap.name: no ConfigMap ${v.configMap.name} is rendered`);
    }
    if (v.persistentVolumeClaim && !objs.some((o) => o.kind === 'PersistentVolumeClaim' &&
        o.metadata.name === v.persistentVolumeClaim.claimName)) {
      problems.push(`spec.template.spec.volumes[name=${v.name}].persistentVolumeClaim.claimName: no PersistentVolumeClaim ${v.persistentVolumeClaim.claimName} is rendered`);
    }
  }
  if (!objs.some((o) => o.kind === 'Service' && matchesSelector({ matchLabels: o.spec.selector }, podLabels(d)))) {
    problems.push('no Service selects its pods');
  }
  // Replicas per overlay.
  const name = d.metadata.name;
  const replicas = d.spec.replicas ?? 1;
  const hpa = objs.find((o) => o.kind === 'HorizontalPodAutoscaler' && o.spec.scaleTargetRef.name === name);
  const pdb = objs.find((o) => o.kind === 'PodDisruptionBudget' && matchesSelector(o.spec.selector, podLabels(d)));
  if (overlay === 'local' && replicas !== 1) problems.push(`spec.replicas: ${replicas}; the local overlay runs one of each`);
  const isConnector = spec.containers.some((c) => binaryOfImage(c.image) === 'esdh_connector');
  if (isConnector || overlay === 'local') {
    const sqliteOrSingle = isConnector || spec.containers.some((c) => /^sqlite:/.test(envValue(c, 'KOMMUNE_DATABASE').value || ''));
    if (sqliteOrSingle && (d.spec.strategy || {}).type !== 'Recreate') {
      problems.push('spec.strategy.type: must be Recreate (never two pods at once)');
    }
  }
  if (isConnector) {
    if (replicas !== 1) problems.push(`spec.replicas: ${replicas}; the ESDH connector runs as one replica (docs/operations.md)`);
    if (hpa) problems.push(`HorizontalPodAutoscaler/${hpa.metadata.name} scales the ESDH connector, which must stay at one replica`);
    if (pdb) problems.push(`PodDisruptionBudget/${pdb.metadata.name} covers the one-replica ESDH connector and would block node drains`);
  } else if (overlay === 'production') {
    if (replicas < 2) problems.push(`spec.replicas: ${replicas}; production runs two at least`);
    if (!hpa) problems.push('no HorizontalPodAutoscaler targets it');
    else if ((hpa.spec.minReplicas ?? 1) < 2) problems.push(`HorizontalPodAutoscaler/${hpa.metadata.name}.spec.minReplicas: must be 2 at least`);
    if (!pdb) problems.push('no PodDisruptionBudget selects its pods');
  }
  if (pdb && pdb.spec.minAvailable !== undefined && replicas <= pdb.spec.minAvailable) {
    problems.push(`PodDisruptionBudget/${pdb.metadata.name}.spec.minAvailable: ${pdb.spec.minAvailable} with ${replicas} replica(s) blocks every drain`);
  }
  return problems;
}

function otherProblems(objs, o, overlay) {
  const problems = [];
  if (o.kind === 'Service') {
    const d = objs.find((x) => x.kind === 'Deployment' && matchesSelector({ matchLabels: o.spec.selector }, podLabels(x)));
    if (!d) return ['spec.selector: selects no Deployment'];
    for (const p of o.spec.ports || []) {
      if (!containerPort(d, p.targetPort ?? p.port)) {
        problems.push(`spec.ports[name=${p.name}].targetPort: ${p.targetPort} is not a port of Deployment/${d.metadata.name}`);
      }
    }
  } else if (o.kind === 'HorizontalPodAutoscaler') {
    const t = o.spec.scaleTargetRef;
    if (!objs.some((x) => x.kind === t.kind && x.metadata.name === t.name)) {
      problems.push(`spec.scaleTargetRef: no ${t.kind}/${t.name}`);
    }
  } else if (o.kind === 'PodDisruptionBudget') {
    if (!objs.some((x) => x.kind === 'Deployment' && matchesSelector(o.spec.selector, podLabels(x)))) {
      problems.push('spec.selector: selects no Deployment');
    }
  } else if (o.kind === 'Ingress') {
    if (!(o.spec.tls || []).length) problems.push('spec.tls: must be set (TLS ends at the ingress)');
    for (const rule of o.spec.rules || []) {
      for (const p of (rule.http || {}).paths || []) {
        const s = p.backend.service;
        const svc = objs.find((x) => x.kind === 'Service' && x.metadata.name === s.name);
        if (!svc) problems.push(`spec.rules[host=${rule.host}]: no Service ${s.name}`);
        else if (!svc.spec.ports.some((sp) => sp.name === s.port.name || sp.port === s.port.number)) {
          problems.push(`spec.rules[host=${rule.host}]: Service ${s.name} has no port ${s.port.name || s.port.number}`);
        }
      }
    }
  } else if (o.kind === 'ConfigMap') {
    for (const [key, text] of Object.entries(o.data || {})) {
      if (!key.endsWith('.textproto')) continue;
      for (const a of configAddresses(text)) {
        if (/^\[?[:0-9.]*\]?:\d+$/.test(a)) continue; // a listener
        const r = resolveAddress(objs, a);
        if (r.error) problems.push(`data.${key}: ${r.error}`);
      }
    }
  }
  return problems;
}

// The gateway reaches every service, the connector reads every feed.
function coverageProblems(objs) {
  const problems = [];
  const cm = (prefix) => objs.find((o) => o.kind === 'ConfigMap' && o.metadata.name.startsWith(prefix));
  const gw = cm('gateway-config');
  const conn = cm('esdh-connector-config');
  if (!gw) return ['no ConfigMap gateway-config'];
  if (!conn) return ['no ConfigMap esdh-connector-config'];
  const reached = (text) => new Set(configAddresses(Object.values(text.data).join('\n'))
    .map((a) => resolveAddress(objs, a)).filter((r) => r.deployment)
    .map((r) => r.deployment.metadata.name));
  const fromGateway = reached(gw);
  for (const d of objs.filter((o) => o.kind === 'Deployment')) {
    const binary = binaryOfImage(d.spec.template.spec.containers[0].image);
    if (binary !== 'gateway' && !fromGateway.has(d.metadata.name)) {
      problems.push(`ConfigMap/${gw.metadata.name}: no backend address reaches Deployment/${d.metadata.name}`);
    }
  }
  const fed = reached(conn);
  for (const feed of ['policy', 'hearing', 'followup']) {
    const d = objs.find((o) => o.kind === 'Deployment' &&
      binaryOfImage(o.spec.template.spec.containers[0].image) === `${feed}_server`);
    if (d && !fed.has(d.metadata.name)) problems.push(`ConfigMap/${conn.metadata.name}: no feed reads Deployment/${d.metadata.name}`);
  }
  return problems;
}

// ------------------------------------------------------------- the sandbox
function secretsFromFile(file) {
  const out = new Map();
  for (const doc of YAML.parseAllDocuments(fs.readFileSync(file, 'utf8'))) {
    const o = doc.toJS();
    if (!o || o.kind !== 'Secret') continue;
    const data = { ...(o.stringData || {}) };
    for (const [k, v] of Object.entries(o.data || {})) data[k] = Buffer.from(v, 'base64').toString();
    out.set(o.metadata.name, data);
  }
  return out;
}

function escapeRe(s) { return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'); }

// A text proto without its comments (# outside strings).
function stripComments(text) {
  return text.split('\n').map((line) => {
    let q = false;
    for (let i = 0; i < line.length; i++) {
      if (q && line[i] === '\\') { i++; continue; }
      if (line[i] === '"') q = !q;
      else if (!q && line[i] === '#') return line.slice(0, i);
    }
    return line;
  }).join('\n');
}

async function runPod(objs, d, overlay, standIns) {
  const problems = [];
  const spec = d.spec.template.spec;
  const root = path.join(opts.work, 'sandbox', overlay, d.metadata.name);
  fs.mkdirSync(root, { recursive: true });
  const volumeDir = (name) => path.join(root, 'volumes', name);
  const secretNeeds = [];
  // Volumes: ConfigMaps as rendered, Secrets from the stand-ins, the rest empty.
  for (const v of spec.volumes || []) {
    const dir = volumeDir(v.name);
    fs.mkdirSync(dir, { recursive: true });
    if (v.secret) {
      const data = standIns.get(v.secret.secretName);
      for (const [k, text] of Object.entries(data || {})) fs.writeFileSync(path.join(dir, k), text);
    }
  }
  const writeConfigMaps = (mapPath, mounted) => {
    for (const v of spec.volumes || []) {
      if (!v.configMap || !mounted.has(v.name)) continue;
      const cm = objs.find((o) => o.kind === 'ConfigMap' && o.metadata.name === v.configMap.name);
      for (const [k, text] of Object.entries((cm && cm.data) || {})) {
        fs.writeFileSync(path.join(volumeDir(v.name), k), mapPath(text, `ConfigMap/${cm.metadata.name} data.${k}`, true));
      }
    }
  };
  for (const { c, kind } of allContainers(d)) {
    const w = `spec.template.spec.${kind}[name=${c.name}]`;
    const mounts = (c.volumeMounts || []).slice().sort((a, b) => b.mountPath.length - a.mountPath.length);
    // Paths of the container's file system -> the sandbox; a path on no
    // mount is an error (the root file system is read-only, and empty).
    // One pass over all mount paths, so a replaced path is not replaced
    // again (the sandbox is under /tmp, which is a mount too).
    const mountRe = mounts.length ? new RegExp(
      `(^|[^A-Za-z0-9_.\\/-])(${mounts.map((m) => escapeRe(m.mountPath)).join('|')})(?=[/\\s'"]|$)`, 'gm') : null;
    const mapPath = (text, where, configFile) => {
      // In a configuration file: quoted strings, comments left out. In a
      // script, a flag or a variable: any absolute path. The image's own
      // folders are not the manifests' business.
      const found = configFile
        ? [...stripComments(text).matchAll(/"(\/[^"\s]*)"/g)].map((x) => x[1])
        : [...text.matchAll(/(?:^|[\s"'=>])(\/[A-Za-z0-9_.\/-]+)/g)].map((x) => x[1]);
      for (const m of found) {
        if (/^\/(dev|bin|usr|proc|sys)\//.test(m)) continue;
        const mount = mounts.find((vm) => m === vm.mountPath || m.startsWith(`${vm.mountPath}/`));
        if (!mount) {
          problems.push(`${where}: ${m} is on no volume of ${w} (the root file system is read-only)`);
          continue;
        }
        const vol = spec.volumes.find((v) => v.name === mount.name);
        const file = path.join(volumeDir(mount.name), m.slice(mount.mountPath.length));
        if (vol && vol.secret && m !== mount.mountPath) secretNeeds.push(`${vol.secret.secretName}: ${path.basename(m)}`);
        if (vol && vol.secret && !fs.existsSync(file) && m !== mount.mountPath) {
          const data = standIns.get(vol.secret.secretName);
          if (data && !vol.secret.optional && standIns.provided.has(vol.secret.secretName)) {
            problems.push(`${where}: ${m} is no key of Secret ${vol.secret.secretName} (it has ${Object.keys(data).join(', ')})`);
          } else {
            // A Secret the installation provides: this file must be in it.
            fs.writeFileSync(file, 'stand-in-secret-for-k8s-check\n');
          }
        }
      }
      const out = mountRe ? text.replace(mountRe, (all, pre, mp) =>
        pre + volumeDir(mounts.find((vm) => vm.mountPath === mp).name)) : text;
      // Services of the cluster: nothing listens at 127.0.0.1:1, so a
      // started server that calls one gets "connection refused".
      return out.replace(/(dns:\/\/\/)?[a-z0-9-]+\.[a-z0-9-]+\.svc\.cluster\.local:\d+/g, '127.0.0.1:1');
    };
    writeConfigMaps(mapPath, new Set(mounts.map((m) => m.name)));
    // bare(path): one path of a flag, mapped and checked.
    const bare = (s) => mapPath(`"${s}"`, w).slice(1, -1);
    const env = { PATH: `${opts.bin}:/usr/bin:/bin`, HOME: root };
    for (const e of c.env || []) {
      const where = `${w}.env[name=${e.name}]`;
      if (e.value !== undefined) {
        const db = /^sqlite:\/\/(\/.*)$/.exec(e.value);
        if (e.name === 'KOMMUNE_LISTEN') env[e.name] = '127.0.0.1:0';
        else if (db) env[e.name] = `sqlite://${mapPath(`"${db[1]}"`, where).slice(1, -1)}`;
        else if (e.value.startsWith('/')) env[e.name] = mapPath(`"${e.value}"`, where).slice(1, -1);
        else env[e.name] = mapPath(e.value, where);
      } else if (e.valueFrom && e.valueFrom.secretKeyRef) {
        const ref = e.valueFrom.secretKeyRef;
        secretNeeds.push(`${ref.name}: ${ref.key}`);
        // PostgreSQL is the cluster's: SQLite stands in for it here.
        env[e.name] = e.name === 'KOMMUNE_DATABASE'
          ? `sqlite://${path.join(root, `${d.metadata.name}.db`)}`
          : ((standIns.get(ref.name) || {})[ref.key]) || 'stand-in';
      }
    }
    const args = (c.args || []).map((a) => {
      const m = /^(--[a-z_]+=)(\/.*)$/.exec(a);
      return m ? m[1] + bare(m[2]) : mapPath(a, `${w}.args`);
    });
    const binary = binaryOfImage(c.image);
    let command;
    let argv;
    if (c.command) {
      command = c.command[0];
      argv = [...c.command.slice(1), ...args];
    } else {
      command = path.join(opts.bin, binary);
      argv = args;
    }
    if (kind === 'initContainers') {
      const r = cp.spawnSync(command, argv, { env, encoding: 'utf8', timeout: 30000, cwd: root });
      if (r.status !== 0) {
        problems.push(`${w}: exited with ${r.status}: ${(r.stderr || '').trim() || (r.stdout || '').trim()}`);
        return { problems, secretNeeds };
      }
      continue;
    }
    if (binary === 'gateway') {
      // Starting it would take its ports; the configuration it would load
      // is checked in full instead.
      const r = cp.spawnSync(command, [...argv, '--check_config'], { env, encoding: 'utf8', timeout: 30000, cwd: root });
      if (r.status !== 0 || !/valid/.test(r.stdout)) {
        problems.push(`${w}: gateway ${argv.join(' ')} --check_config: ${(r.stderr || r.stdout || '').trim()}`);
      }
      continue;
    }
    await startAndStop(command, argv, env, root, w, problems);
  }
  return { problems, secretNeeds };
}

// Starts a server, waits for its "serving" log line, sends SIGTERM and
// expects a clean exit.
function startAndStop(command, argv, env, cwd, w, problems) {
  return new Promise((resolve) => {
    const child = cp.spawn(command, argv, { env, cwd, stdio: ['ignore', 'ignore', 'pipe'] });
    let log = '';
    let serving = false;
    const timer = setTimeout(() => {
      problems.push(`${w}: no "serving" line within 30 s; its log: ${log.trim().slice(-800)}`);
      child.kill('SIGKILL');
    }, 30000);
    child.stderr.on('data', (chunk) => {
      log += chunk;
      if (!serving && /"serving"/.test(log)) {
        serving = true;
        child.kill('SIGTERM');
      }
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (serving && code !== 0) problems.push(`${w}: exited with ${code || signal} after SIGTERM; its log: ${log.trim().slice(-800)}`);
      if (!serving && !problems.some((p) => p.startsWith(`${w}: no "serving"`))) {
        problems.push(`${w}: stopped with ${code ?? signal} before serving; its log: ${log.trim().slice(-800)}`);
      }
      resolve(serving && code === 0);
    });
  });
}

// ------------------------------------------------------------ image files
function dpkgClosure(names) {
  const r = cp.spawnSync('dpkg-query', ['-W', '-f=${Package}\t${Depends}, ${Pre-Depends}\t${Provides}\n'], { encoding: 'utf8' });
  if (r.status !== 0) return null;
  const deps = new Map();
  const providers = new Map();
  for (const line of r.stdout.split('\n')) {
    const [pkg, dep, prov] = line.split('\t');
    if (!pkg) continue;
    const strip = (s) => s.trim().replace(/\s*\(.*?\)/g, '').replace(/:any$/, '');
    deps.set(pkg, (dep || '').split(',').flatMap((alt) => alt.split('|').map(strip)).filter(Boolean));
    for (const p of (prov || '').split(',').map(strip).filter(Boolean)) {
      if (!providers.has(p)) providers.set(p, []);
      providers.get(p).push(pkg);
    }
  }
  const seen = new Set();
  const todo = [...names];
  while (todo.length) {
    const p = todo.pop();
    if (seen.has(p)) continue;
    seen.add(p);
    for (const q of [...(deps.get(p) || []), ...(providers.get(p) || [])]) todo.push(q);
  }
  return seen;
}

// Which Debian package owns each file: one dpkg -S for all of them (the
// path as ldd says it, resolved, and with or without the /usr prefix that
// merged /usr adds or takes away).
const owners = new Map();
function packageOwners(files) {
  const variants = new Map();
  for (const f of files) {
    const real = fs.realpathSync(f);
    variants.set(f, [f, real, real.replace(/^\/usr\//, '/'), `/usr${real}`]);
  }
  const wanted = [...new Set([...variants.values()].flat())].filter((v) => !owners.has(v));
  if (wanted.length) {
    const r = cp.spawnSync('dpkg', ['-S', ...wanted], { encoding: 'utf8' });
    for (const line of (r.stdout || '').split('\n')) {
      const m = /^([^:]+)(?::[a-z0-9]+)?: (\/.*)$/.exec(line);
      if (m) owners.set(m[2], m[1].split(',')[0].trim().split(':')[0]);
    }
    for (const v of wanted) if (!owners.has(v)) owners.set(v, null);
  }
  const out = new Map();
  for (const [f, vs] of variants) out.set(f, vs.map((v) => owners.get(v)).find(Boolean) || null);
  return out;
}

function dockerfileProblems(binary, rendered) {
  const problems = [];
  const file = path.join(opts.k8s, 'images', `${binary}.Dockerfile`);
  if (!fs.existsSync(file)) return [`${file}: missing`];
  const text = fs.readFileSync(file, 'utf8').replace(/\\\n/g, ' ');
  const froms = [...text.matchAll(/^FROM\s+(\S+)/gm)].map((m) => m[1]);
  if (froms.length < 2) problems.push('needs a build stage and a run stage (multi-stage)');
  if (!/^debian:bookworm$/.test(froms[0] || '')) problems.push(`the build stage is FROM ${froms[0]}, not debian:bookworm`);
  if (!/^debian:bookworm-slim$/.test(froms[froms.length - 1] || '')) problems.push(`the run stage is FROM ${froms[froms.length - 1]}, not debian:bookworm-slim`);
  if (!text.includes('install_missing_packages "${BUILD_PACKAGES[@]}"')) {
    problems.push('the build stage does not install BUILD_PACKAGES of tools/lib/common.sh');
  }
  if (!new RegExp(`--target ${binary}\\b`).test(text)) problems.push(`does not build --target ${binary}`);
  if (!text.includes(`ENTRYPOINT ["/usr/local/bin/${binary}"]`)) problems.push(`ENTRYPOINT is not ["/usr/local/bin/${binary}"]`);
  const user = (/^USER\s+(\S+)/m.exec(text) || [])[1];
  if (!user || /^(0|root)(:|$)/.test(user)) problems.push(`USER ${user}: must be a non-root uid:gid`);
  const exposed = new Set((/^EXPOSE\s+(.*)$/m.exec(text) || ['', ''])[1].split(/\s+/).filter(Boolean).map(Number));
  // The manifests that run this image: same ports, same user.
  for (const [overlay, objs] of rendered) {
    for (const d of objs.filter((o) => o.kind === 'Deployment')) {
      const psc = d.spec.template.spec.securityContext || {};
      for (const c of d.spec.template.spec.containers) {
        if (binaryOfImage(c.image) !== binary) continue;
        const ports = new Set((c.ports || []).map((p) => p.containerPort));
        if ([...ports].sort().join() !== [...exposed].sort().join()) {
          problems.push(`EXPOSE ${[...exposed].join(' ')} differs from ${overlay} Deployment/${d.metadata.name} ports ${[...ports].join(' ')}`);
        }
        const runAs = `${(c.securityContext || {}).runAsUser ?? psc.runAsUser}:${(c.securityContext || {}).runAsGroup ?? psc.runAsGroup}`;
        if (user && user !== runAs) problems.push(`USER ${user} differs from ${overlay} Deployment/${d.metadata.name} runAsUser:runAsGroup ${runAs}`);
      }
    }
  }
  // The run stage's packages must bring every library the binary links.
  const runStage = text.slice(text.lastIndexOf('\nFROM '));
  const install = /apt-get install\s+([^&]*)/.exec(runStage);
  if (!install) return [...problems, 'the run stage installs no packages'];
  const packages = install[1].split(/\s+/).filter((w) => w && !w.startsWith('-'));
  const closure = dpkgClosure(packages);
  if (!closure) return [...problems, '(dpkg not available: runtime libraries not checked)'];
  const ldd = cp.spawnSync('ldd', [path.join(opts.bin, binary)], { encoding: 'utf8' });
  const libs = [...ldd.stdout.matchAll(/=>\s+(\/\S+)/g)].map((m) => m[1]);
  for (const [lib, pkg] of packageOwners(libs)) {
    if (!pkg) problems.push(`${binary} links ${lib}, which no Debian package owns`);
    else if (!closure.has(pkg)) {
      problems.push(`${binary} links ${path.basename(lib)} of package ${pkg}, which the run stage's packages (${packages.join(' ')}) do not bring`);
    }
  }
  return problems;
}

// -------------------------------------------------------------------- main
async function main() {
  const validators = makeValidators();
  console.log(`Kubernetes API schemas: ${validators.count} definitions (kubernetes-models, Kubernetes 1.27), made strict`);
  const rendered = new Map();
  const devSecrets = secretsFromFile(opts.secrets);
  const allNeeds = new Map();
  for (const { name: overlay, file } of opts.overlays) {
    const objs = YAML.parseAllDocuments(fs.readFileSync(file, 'utf8')).map((doc) => doc.toJS()).filter(Boolean);
    rendered.set(overlay, objs);
    console.log(`\n== overlay ${overlay}: ${objs.length} objects`);
    for (const o of objs) {
      check(`${overlay}: ${kindName(o)} matches the ${o.apiVersion} ${o.kind} schema`, () => schemaProblems(validators, o));
    }
    const namespaces = objs.filter((o) => o.kind === 'Namespace').map((o) => o.metadata.name);
    check(`${overlay}: one Namespace (${namespaces.join(', ')}), and every other object in it`, () => {
      if (namespaces.length !== 1) return [`${namespaces.length} Namespace objects; the suite has one`];
      return objs.filter((o) => o.kind !== 'Namespace' && o.metadata.namespace !== namespaces[0])
        .map((o) => `${kindName(o)}: metadata.namespace is ${o.metadata.namespace || 'not set (kubectl would use its current namespace)'}`);
    });
    for (const d of objs.filter((o) => o.kind === 'Deployment')) {
      check(`${overlay}: ${kindName(d)}: flags and KOMMUNE_* variables are ${[...new Set(allContainers(d).flatMap(({ c }) => invocations(c).map((i) => i.binary)))].join(', ')} flags, with values the binary accepts`,
        () => allContainers(d).flatMap(({ c, kind }) => flagProblems(c, `spec.template.spec.${kind}`)));
      check(`${overlay}: ${kindName(d)}: probes, resources, security context, volumes, replicas, database`,
        () => deploymentProblems(objs, d, overlay));
    }
    for (const o of objs.filter((x) => ['Service', 'HorizontalPodAutoscaler', 'PodDisruptionBudget', 'Ingress', 'ConfigMap'].includes(x.kind))) {
      check(`${overlay}: ${kindName(o)}: what it points at exists`, () => otherProblems(objs, o, overlay));
    }
    check(`${overlay}: the gateway's backends reach every service, the connector reads every feed`, () => coverageProblems(objs));
    if (overlay === 'production') {
      check(`${overlay}: the gateway is behind an Ingress with TLS`, () =>
        (objs.some((o) => o.kind === 'Ingress' && (o.spec.tls || []).length &&
          o.spec.rules.some((r) => r.http.paths.some((p) => p.backend.service.name === 'gateway')))
          ? [] : ['no Ingress with tls sends traffic to Service gateway']));
    }
    check(`${overlay}: NetworkPolicies allow exactly the connections of k8s/base/network-policies.yaml`, () => networkProblems(objs, overlay));

    // Stand-in Secrets: the development ones (dev-secrets.sh) where there
    // are, files the configurations name in the others.
    const standIns = new Map(devSecrets);
    standIns.provided = new Set(overlay === 'local' ? devSecrets.keys() : []);
    for (const d of objs.filter((o) => o.kind === 'Deployment')) {
      let result;
      const what = `${overlay}: ${kindName(d)} runs in a sandbox: ${allContainers(d).map(({ c, kind }) =>
        kind === 'initContainers' ? `init ${c.name}` : binaryOfImage(c.image) === 'gateway'
          ? 'gateway --check_config' : `${binaryOfImage(c.image)} serves and stops on SIGTERM`).join(', ')}`;
      try {
        result = await runPod(objs, d, overlay, standIns);
      } catch (e) {
        result = { problems: [`${e.stack || e}`], secretNeeds: [] };
      }
      if (result.problems.length) fail(what, result.problems);
      else ok(what);
      for (const n of result.secretNeeds) {
        if (!allNeeds.has(overlay)) allNeeds.set(overlay, new Set());
        allNeeds.get(overlay).add(n);
      }
    }
    if (overlay === 'local') {
      check(`${overlay}: dev-secrets.sh gives every Secret and key the overlay mounts`, () => {
        const problems = [];
        for (const d of objs.filter((o) => o.kind === 'Deployment')) {
          for (const v of d.spec.template.spec.volumes || []) {
            if (v.secret && !v.secret.optional && !devSecrets.has(v.secret.secretName)) {
              problems.push(`${kindName(d)} spec.template.spec.volumes[name=${v.name}]: Secret ${v.secret.secretName} is not made by dev-secrets.sh`);
            }
          }
        }
        return problems;
      });
    }
  }
  const secretsFile = fs.readFileSync(opts.secrets, 'utf8');
  check('dev-secrets.sh: its Secrets match the v1 Secret schema', () =>
    YAML.parseAllDocuments(secretsFile).map((d) => d.toJS()).filter(Boolean)
      .flatMap((o) => schemaProblems(validators, o).map((p) => `${kindName(o)}: ${p}`)));

  console.log('\n== image files (k8s/images)');
  for (const binary of BINARIES) {
    check(`k8s/images/${binary}.Dockerfile: multi-stage Debian 12, BUILD_PACKAGES, target, entrypoint, user and ports as in the manifests, runtime packages cover ldd ${binary}`,
      () => dockerfileProblems(binary, rendered));
  }
  for (const [overlay, objs] of rendered) {
    for (const ing of objs.filter((o) => o.kind === 'Ingress')) {
      for (const t of ing.spec.tls || []) {
        if (!allNeeds.has(overlay)) allNeeds.set(overlay, new Set());
        allNeeds.get(overlay).add(`${t.secretName}: tls.crt, tls.key`);
      }
    }
  }
  for (const [overlay, needs] of allNeeds) {
    const external = [...needs].filter((n) => overlay !== 'local' || !devSecrets.has(n.split(':')[0]));
    if (external.length) console.log(`\n${overlay}: Secrets (and keys) the installation provides: ${external.sort().join('; ')}`);
  }
  console.log(`\n${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}

main().catch((e) => {
  console.error(e.stack || e);
  process.exit(1);
});
