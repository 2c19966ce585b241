/**
 * A real redis-server for the cluster tests (Debian's, which .ci/run installs), started on a free
 * loopback port with no persistence, and stopped when the test file is done; `restart` stops it
 * and starts a new one, empty, on the same port (as a Redis without persistence comes back).
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { createServer, connect } from 'node:net'
import { readFileSync } from 'node:fs'

export interface RedisServer {
  readonly url: string
  readonly port: number
  /** The CPU time the server has used so far, in microseconds (Linux: /proc). */
  cpuUs(): number
  stop(): Promise<void>
  restart(): Promise<void>
}

const freePort = () =>
  new Promise<number>((done, fail) => {
    const s = createServer()
    s.once('error', fail)
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number }
      s.close(() => done(port))
    })
  })

const answers = (port: number) =>
  new Promise<boolean>((done) => {
    const sock = connect(port, '127.0.0.1')
    sock.once('connect', () => sock.write('PING\r\n'))
    sock.once('data', (d) => {
      sock.destroy()
      done(d.toString().startsWith('+PONG'))
    })
    sock.once('error', () => done(false))
  })

export async function startRedis(): Promise<RedisServer> {
  const port = await freePort()
  let server = await serve(port)
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    cpuUs: () => server.cpuUs(),
    stop: () => server.stop(),
    async restart() {
      await server.stop()
      server = await serve(port)
    },
  }
}

async function serve(port: number): Promise<{ stop(): Promise<void>; cpuUs(): number }> {
  const child: ChildProcess = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: 'ignore',
  })
  const exited = new Promise<void>((done) => child.once('exit', () => done()))
  child.once('error', () => {})
  for (let i = 0; i < 100 && !(await answers(port)); i++) await new Promise((r) => setTimeout(r, 50))
  if (!(await answers(port))) throw new Error(`redis-server did not start on port ${port} (is it installed? .ci/run installs it)`)
  return {
    cpuUs() {
      // utime and stime, fields 14 and 15 of /proc/PID/stat (after the command's closing parenthesis), in clock ticks of 10 ms.
      const fields = readFileSync(`/proc/${child.pid}/stat`, 'utf8').replace(/^.*\) /s, '').split(' ')
      return (Number(fields[11]) + Number(fields[12])) * 10_000
    },
    async stop() {
      child.kill('SIGTERM')
      await exited
    },
  }
}
