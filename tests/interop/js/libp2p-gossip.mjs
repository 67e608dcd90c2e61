// An unmodified js-libp2p node with @libp2p/gossipsub (TCP, Noise, yamux, identify, ping,
// gossipsub with its defaults: StrictSign, flood publish, peer scoring) for the pubsub interop
// tests against Hyphae's assembled node.
//
// Ops: start, dial, peerInfo, subscribe, publish, received, meshPeers, subscribers, stop.
// Events: "message" for each pubsub message delivered here.
import { createLibp2p } from 'libp2p'
import { tcp } from '@libp2p/tcp'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { identify } from '@libp2p/identify'
import { ping } from '@libp2p/ping'
import { gossipsub } from '@libp2p/gossipsub'
import { multiaddr } from '@multiformats/multiaddr'
import { peerIdFromString } from '@libp2p/peer-id'
import { serve, emit } from './lib/jsonl-server.mjs'

let node = null
const received = []
let quiet = false

function requireNode () {
  if (node == null) throw new Error('call start first')
  return node
}

/** Benchmarks set quiet: no event line per message. */
async function start ({ quiet: q = false } = {}) {
  quiet = q
  node = await createLibp2p({
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionGater: { denyDialMultiaddr: () => false },
    services: {
      identify: identify(),
      ping: ping(),
      // Defaults, except that publishing before the mesh forms is allowed (the test waits anyway).
      pubsub: gossipsub({ allowPublishToZeroTopicPeers: true })
    }
  })
  node.services.pubsub.addEventListener('message', (evt) => {
    const m = evt.detail
    const entry = {
      topic: m.topic,
      text: new TextDecoder().decode(m.data),
      from: m.type === 'signed' ? m.from.toString() : '',
      seqno: m.type === 'signed' ? m.sequenceNumber.toString(16) : '',
      at: Date.now()
    }
    received.push(entry)
    if (!quiet) emit('message', entry)
  })
  return { peerId: node.peerId.toString(), addrs: node.getMultiaddrs().map(a => a.toString()) }
}

async function dial ({ addr }) {
  const conn = await requireNode().dial(multiaddr(addr))
  return { peer: conn.remotePeer.toString() }
}

async function peerInfo ({ peer, waitMillis = 5000 }) {
  const id = peerIdFromString(peer)
  const deadline = Date.now() + waitMillis
  while (true) {
    try {
      const p = await requireNode().peerStore.get(id)
      if (p.protocols.length > 0 || Date.now() > deadline) {
        return { protocols: p.protocols }
      }
    } catch (err) {
      if (Date.now() > deadline) throw err
    }
    await new Promise(resolve => setTimeout(resolve, 50))
  }
}

async function subscribe ({ topic }) {
  requireNode().services.pubsub.subscribe(topic)
  return {}
}

async function publish ({ topic, text }) {
  const result = await requireNode().services.pubsub.publish(topic, new TextEncoder().encode(text))
  return { recipients: result.recipients.map(p => p.toString()) }
}

/** Load test: publishes count messages of size bytes at rate/s, each starting "b-<n>-<epoch ms>-", in the background. */
async function publishMany ({ topic, count, rate, size, first }) {
  const pubsub = requireNode().services.pubsub
  const start = Date.now()
  ;(async () => {
    for (let k = 0; k < count; k++) {
      const wait = start + k * 1000 / rate - Date.now()
      if (wait > 0) await new Promise(resolve => setTimeout(resolve, wait))
      const text = (`b-${first + k}-${Date.now()}-`).padEnd(size, 'x')
      pubsub.publish(topic, new TextEncoder().encode(text)).catch(() => {})
    }
  })()
  return {}
}

async function receivedOp ({ topic, textOnly = false }) {
  const list = received.filter(m => m.topic === topic)
  return { messages: textOnly ? list.map(m => ({ text: m.text.slice(0, 40), at: m.at })) : list }
}

async function meshPeers ({ topic }) {
  return { peers: requireNode().services.pubsub.getMeshPeers(topic) }
}

async function subscribers ({ topic }) {
  return { peers: requireNode().services.pubsub.getSubscribers(topic).map(p => p.toString()) }
}

async function stop () {
  if (node != null) await node.stop()
  node = null
  return {}
}

await serve({ start, dial, peerInfo, subscribe, publish, publishMany, received: receivedOp, meshPeers, subscribers, stop },
  { onClose: stop })
