/**
 * Preloaded into each `mrcheck worker` process of the cluster bench (`node --import`): on exit the
 * process writes the CPU time it used, start-up included, to stderr as `cpu-us N`.
 */
process.on('exit', () => {
  const u = process.cpuUsage()
  process.stderr.write(`cpu-us ${u.user + u.system}\n`)
})
