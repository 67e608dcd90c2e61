// Line-delimited JSON request/response loop shared by every interop script.
//
// Protocol (one JSON object per line, UTF-8):
//   request  (stdin):  {"id": <any>, "op": "<name>", ...arguments}
//   response (stdout): {"id": <same>, "ok": true, ...result}
//                   or {"id": <same>, "ok": false, "error": "<message>"}
//   event    (stdout): {"event": "<name>", ...}   (no "id"; e.g. "ready" once at start)
//
// Requests are handled strictly one at a time, in order. A handler may be async.
// Malformed input never ends the process: it is answered with ok=false.
// stdout belongs to the protocol: console.log/info/debug are sent to stderr so that
// chatty libraries cannot corrupt it. The process exits when stdin closes.
import { createInterface } from 'node:readline'

const out = process.stdout
const toStderr = (...args) => console.error(...args)
console.log = toStderr
console.info = toStderr
console.debug = toStderr

function send (obj) {
  out.write(JSON.stringify(obj) + '\n')
}

/** Sends an unsolicited event line (for long-running peers: "connection", "message", ...). */
export function emit (event, fields = {}) {
  send({ ...fields, event })
}

function errorMessage (err) {
  if (err == null) return 'unknown error'
  const name = err.name != null && err.name !== 'Error' ? `${err.name}: ` : ''
  return `${name}${err.message ?? String(err)}`
}

/**
 * Serves `handlers` (an object mapping op name to `async (request) => result object`)
 * until stdin closes. `onClose` (optional, async) runs before the process exits.
 */
export async function serve (handlers, { onClose } = {}) {
  process.on('uncaughtException', err => {
    console.error('uncaught exception:', err)
  })
  process.on('unhandledRejection', err => {
    console.error('unhandled rejection:', err)
  })

  const rl = createInterface({ input: process.stdin, crlfDelay: Infinity, terminal: false })
  emit('ready', { pid: process.pid, node: process.version })

  for await (const raw of rl) {
    const line = raw.trim()
    if (line === '') continue
    let id = null
    try {
      let request
      try {
        request = JSON.parse(line)
      } catch (err) {
        throw new Error(`request is not valid JSON: ${err.message}`)
      }
      if (request == null || typeof request !== 'object' || Array.isArray(request)) {
        throw new Error('request must be a JSON object')
      }
      id = request.id ?? null
      const op = request.op
      if (typeof op !== 'string' || !Object.hasOwn(handlers, op)) {
        throw new Error(`unknown op: ${JSON.stringify(op)}; known: ${Object.keys(handlers).join(', ')}`)
      }
      const result = await handlers[op](request)
      send({ ...(result ?? {}), id, ok: true })
    } catch (err) {
      send({ id, ok: false, error: errorMessage(err) })
    }
  }

  if (onClose != null) {
    try {
      await onClose()
    } catch (err) {
      console.error('error while closing:', err)
    }
  }
  process.exit(0)
}

// ---- small helpers for handlers -------------------------------------------------

const HEX = /^(?:[0-9a-fA-F]{2})*$/

/** Reads a required string argument. */
export function str (request, name) {
  const v = request[name]
  if (typeof v !== 'string') throw new Error(`argument "${name}" must be a string`)
  return v
}

/** Reads a required hex argument as bytes. */
export function hexArg (request, name) {
  const v = str(request, name)
  if (!HEX.test(v)) throw new Error(`argument "${name}" is not an even-length hex string`)
  return Uint8Array.from(Buffer.from(v, 'hex'))
}

/** Lower-case hex of bytes. */
export function hex (bytes) {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex')
}
