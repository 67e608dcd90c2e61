// An unmodified js-libp2p node (TCP + WebSockets, Noise, yamux, identify and push, ping) for the
// full-node interop tests: Hyphae's assembled node on one side, this on the other.
//
// Ops: start, dial, ping, peerInfo, echo (bulk transfer over /hyphae-test/echo/1.0.0, checked
// byte for byte), perf (/perf/1.0.0 client; the node also serves perf), connections, stop.
// Events: "connection" when a peer connects.
import { createLibp2p } from 'libp2p'
import { tcp } from '@libp2p/tcp'
import { webSockets } from '@libp2p/websockets'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { identify, identifyPush } from '@libp2p/identify'
import { ping } from '@libp2p/ping'
import { multiaddr } from '@multiformats/multiaddr'
import { peerIdFromString } from '@libp2p/peer-id'
import { randomBytes } from 'node:crypto'
import { serve, emit } from './lib/jsonl-server.mjs'

const ECHO = '/hyphae-test/echo/1.0.0'
const PERF = '/perf/1.0.0'
let node = null

function requireNode () {
  if (node == null) throw new Error('call start first')
  return node
}

async function start () {
  node = await createLibp2p({
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0', '/ip4/127.0.0.1/tcp/0/ws'] },
    transports: [tcp(), webSockets()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionGater: { denyDialMultiaddr: () => false },
    services: { identify: identify(), identifyPush: identifyPush(), ping: ping() }
  })
  // js-libp2p serves echo too, so Hyphae can be the dialler.
  await node.handle(ECHO, (stream) => {
    stream.addEventListener('message', (evt) => {
      if (!stream.send(evt.data)) {
        stream.pause()
        stream.onDrain().then(() => stream.resume(), () => {})
      }
    })
    // 'end', not 'remoteCloseWrite': the latter can fire while paused messages are still queued.
    stream.addEventListener('end', () => { stream.close().catch(() => {}) })
  })
  // The perf protocol (libp2p/specs perf/perf.md), server side: read the 8-byte size, drain the
  // upload to its end, send that many bytes back.
  await node.handle(PERF, (stream) => {
    let header = new Uint8Array(0)
    let toSend = null
    stream.addEventListener('message', (evt) => {
      if (toSend == null) {
        const bytes = evt.data.subarray()
        const joined = new Uint8Array(header.length + bytes.length)
        joined.set(header)
        joined.set(bytes, header.length)
        header = joined
        if (header.length >= 8) {
          toSend = new DataView(header.buffer, header.byteOffset, 8).getBigUint64(0)
        }
      }
    })
    stream.addEventListener('end', async () => {
      try {
        const chunk = new Uint8Array(65536)
        let left = toSend ?? 0n
        while (left > 0n) {
          const n = left < 65536n ? Number(left) : 65536
          if (!stream.send(chunk.subarray(0, n))) await stream.onDrain()
          left -= BigInt(n)
        }
        await stream.close()
      } catch (err) {
        stream.abort(err)
      }
    })
  }, { maxInboundStreams: 64 })
  node.addEventListener('connection:open', (evt) => {
    const c = evt.detail
    emit('connection', { peer: c.remotePeer.toString(), addr: c.remoteAddr.toString(), direction: c.direction })
  })
  return {
    peerId: node.peerId.toString(),
    addrs: node.getMultiaddrs().map(a => a.toString())
  }
}

async function dial ({ addr }) {
  const conn = await requireNode().dial(multiaddr(addr))
  return { peer: conn.remotePeer.toString(), addr: conn.remoteAddr.toString() }
}

async function pingOp ({ addr }) {
  const rtt = await requireNode().services.ping.ping(multiaddr(addr))
  return { rtt }
}

/** What identify told js-libp2p about a peer (after a connection, identify runs by itself). */
async function peerInfo ({ peer, waitMillis = 5000 }) {
  const id = peerIdFromString(peer)
  const deadline = Date.now() + waitMillis
  while (true) {
    try {
      const p = await requireNode().peerStore.get(id)
      if (p.protocols.length > 0 || Date.now() > deadline) {
        const agent = p.metadata.get('AgentVersion')
        return {
          protocols: p.protocols,
          addrs: p.addresses.map(a => a.multiaddr.toString()),
          agent: agent == null ? '' : new TextDecoder().decode(agent)
        }
      }
    } catch (err) {
      if (Date.now() > deadline) throw err
    }
    await new Promise(resolve => setTimeout(resolve, 50))
  }
}

/** Sends `size` random bytes over a new echo stream and checks that the same bytes come back. */
async function echo ({ addr, size, chunk = 65536 }) {
  const started = Date.now()
  const stream = await requireNode().dialProtocol(multiaddr(addr), ECHO)
  const data = randomBytes(size)
  const received = Buffer.alloc(size)
  let got = 0
  const done = new Promise((resolve, reject) => {
    stream.addEventListener('message', (evt) => {
      const bytes = evt.data.subarray()
      if (got + bytes.length > size) {
        reject(new Error(`echo returned more than the ${size} bytes sent`))
        return
      }
      received.set(bytes, got)
      got += bytes.length
    })
    stream.addEventListener('close', (evt) => {
      if (evt.error != null) reject(evt.error)
      else resolve()
    })
  })
  for (let offset = 0; offset < size; offset += chunk) {
    if (!stream.send(data.subarray(offset, Math.min(size, offset + chunk)))) {
      await stream.onDrain()
    }
  }
  await stream.close()
  await done
  if (got !== size) throw new Error(`echo returned ${got} of ${size} bytes`)
  if (!received.equals(data)) throw new Error('echo returned different bytes')
  return { bytes: size, millis: Date.now() - started }
}

/** The perf protocol, client side: upload, then download, timed. */
async function perf ({ addr, upload, download }) {
  const started = process.hrtime.bigint()
  const stream = await requireNode().dialProtocol(multiaddr(addr), PERF)
  let received = 0
  const done = new Promise((resolve, reject) => {
    stream.addEventListener('message', (evt) => { received += evt.data.byteLength })
    stream.addEventListener('close', (evt) => { if (evt.error != null) reject(evt.error); else resolve() })
  })
  const header = new Uint8Array(8)
  new DataView(header.buffer).setBigUint64(0, BigInt(download))
  stream.send(header)
  const chunk = new Uint8Array(65536)
  for (let left = upload; left > 0; left -= 65536) {
    if (!stream.send(chunk.subarray(0, Math.min(65536, left)))) await stream.onDrain()
  }
  await stream.close()
  await done
  const millis = Number(process.hrtime.bigint() - started) / 1e6
  if (received !== download) throw new Error(`perf: received ${received} of ${download} bytes`)
  return { uploaded: upload, downloaded: received, millis }
}

async function connections () {
  return {
    connections: requireNode().getConnections().map(c => ({
      peer: c.remotePeer.toString(), addr: c.remoteAddr.toString(), direction: c.direction, status: c.status
    }))
  }
}

async function stop () {
  if (node != null) await node.stop()
  node = null
  return {}
}

await serve({ start, dial, ping: pingOp, peerInfo, echo, perf, connections, stop }, { onClose: stop })
