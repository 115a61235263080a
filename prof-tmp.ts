import { runVariant } from './bench/workflow-runs.ts';

await runVariant({ scenario: 'seed', variant: 'product' });
const { Session } = await import('node:inspector/promises');
const s = new Session();
s.connect();
await s.post('Profiler.enable');
await s.post('Profiler.start');
const t = performance.now();
const m = await runVariant({ scenario: 'multi-hop', variant: 'naive' });
console.log(m.stateTransitions, ((performance.now() - t) / 1000).toFixed(2));
const { profile } = await s.post('Profiler.stop');
const self = new Map<string, number>();
const byId = new Map(profile.nodes.map((n: any) => [n.id, n]));
const dt = profile.timeDeltas;
const samples = profile.samples;
for (let i = 0; i < samples.length; i++) {
  const n: any = byId.get(samples[i]);
  const k = `${n.callFrame.functionName} ${n.callFrame.url.split('/').slice(-3).join('/')}:${n.callFrame.lineNumber}`;
  self.set(k, (self.get(k) ?? 0) + (dt[i] ?? 0));
}
const tot = [...self.values()].reduce((a, b) => a + b, 0);
for (const [k, v] of [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, 30))
  console.log((v / 1000).toFixed(0).padStart(6), ((100 * v) / tot).toFixed(1).padStart(5), k);
