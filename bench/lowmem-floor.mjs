// Run by bench/lowmem.mjs in a CPU-limited cgroup: how long the first report's two dependencies take
// to import on their own (what no code of ours can make cheaper), as JSON.
const measure = async (load) => {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await load();
  const cpu = process.cpuUsage(cpu0);
  return { ms: performance.now() - t0, cpuMs: (cpu.user + cpu.system) / 1000 };
};
const ses = await measure(() => import('@aws-sdk/client-ses'));
const composer = await measure(() => import('nodemailer/lib/mail-composer'));
process.stdout.write(`${JSON.stringify({ ses, composer })}\n`);
