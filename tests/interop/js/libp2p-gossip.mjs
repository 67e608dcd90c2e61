// An unmodified js-libp2p node with @libp2p/gossipsub (TCP, Noise, yamux, identify, ping,
// gossipsub with its defaults: StrictSign, flood publish, peer scoring) for the pubsub interop
// tests against Hyphae's assembled node. One process may run several nodes (benchmarks: `start`
// with `count`); every op then takes `node`, the index of the node it acts on (default 0), and
// `subscribe` without `node` subscribes them all.
//
// Ops: start, dial, peerInfo, subscribe, publish, publishMany, received, duplicates, meshPeers,
// subscribers, stop. Events: "message" for each pubsub message delivered here.
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

const nodes = []
const received = []
const duplicateCounts = []
let quiet = false

/**
 * gossipsub's documented metricsRegister option, keeping only what the benchmark reads: the
 * duplicate counter (gossipsub_pre_validation_duplicate_total). Every other metric is a no-op.
 */
function countingRegister (index) {
  const noop = { inc () {}, set () {}, dec () {}, observe () {}, addCollect () {}, startTimer () { return () => {} }, reset () {} }
  return {
    gauge (config) {
      if (config.name !== 'gossipsub_pre_validation_duplicate_total') return noop
      return { ...noop, inc (_labels, value = 1) { duplicateCounts[index] += typeof value === 'number' ? value : 1 } }
    },
    histogram () { return noop },
    avgMinMax () { return noop }
  }
}

function requireNode (index = 0) {
  const node = nodes[index]
  if (node == null) throw new Error(nodes.length === 0 ? 'call start first' : `no node ${index} (have ${nodes.length})`)
  return node
}

async function createNode (index) {
  received[index] = []
  duplicateCounts[index] = 0
  const node = await createLibp2p({
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionGater: { denyDialMultiaddr: () => false },
    services: {
      identify: identify(),
      ping: ping(),
      // Defaults, except that publishing before the mesh forms is allowed (the test waits anyway).
      pubsub: gossipsub({
        allowPublishToZeroTopicPeers: true,
        metricsRegister: countingRegister(index),
        metricsTopicStrToLabel: new Map()
      })
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
    received[index].push(entry)
    if (!quiet) emit('message', nodes.length > 1 ? { ...entry, node: index } : entry)
  })
  return node
}

/** Benchmarks set quiet: no event line per message; count: how many nodes this process runs. */
async function start ({ quiet: q = false, count = 1 } = {}) {
  quiet = q
  if (nodes.length > 0) throw new Error('already started')
  for (let i = 0; i < count; i++) {
    nodes.push(await createNode(i))
  }
  const all = nodes.map(n => ({ peerId: n.peerId.toString(), addrs: n.getMultiaddrs().map(a => a.toString()) }))
  return { ...all[0], nodes: all }
}

async function dial ({ addr, node = 0 }) {
  const conn = await requireNode(node).dial(multiaddr(addr))
  return { peer: conn.remotePeer.toString() }
}

async function peerInfo ({ peer, waitMillis = 5000, node = 0 }) {
  const id = peerIdFromString(peer)
  const deadline = Date.now() + waitMillis
  while (true) {
    try {
      const p = await requireNode(node).peerStore.get(id)
      if (p.protocols.length > 0 || Date.now() > deadline) {
        return { protocols: p.protocols }
      }
    } catch (err) {
      if (Date.now() > deadline) throw err
    }
    await new Promise(resolve => setTimeout(resolve, 50))
  }
}

async function subscribe ({ topic, node }) {
  if (node == null) {
    requireNode()
    for (const n of nodes) n.services.pubsub.subscribe(topic)
  } else {
    requireNode(node).services.pubsub.subscribe(topic)
  }
  return {}
}

async function publish ({ topic, text, node = 0 }) {
  const result = await requireNode(node).services.pubsub.publish(topic, new TextEncoder().encode(text))
  return { recipients: result.recipients.map(p => p.toString()) }
}

/** Load test: publishes count messages of size bytes at rate/s, each starting "<tag>-<n>-<epoch ms>-", in the background. */
async function publishMany ({ topic, count, rate, size, first, node = 0, tag = 'b' }) {
  const pubsub = requireNode(node).services.pubsub
  const start = Date.now()
  ;(async () => {
    for (let k = 0; k < count; k++) {
      const wait = start + k * 1000 / rate - Date.now()
      if (wait > 0) await new Promise(resolve => setTimeout(resolve, wait))
      const text = (`${tag}-${first + k}-${Date.now()}-`).padEnd(size, 'x')
      pubsub.publish(topic, new TextEncoder().encode(text)).catch(() => {})
    }
  })()
  return {}
}

async function receivedOp ({ topic, textOnly = false, node = 0 }) {
  requireNode(node)
  const list = received[node].filter(m => m.topic === topic)
  return { messages: textOnly ? list.map(m => ({ text: m.text.slice(0, 40), at: m.at })) : list }
}

/** Duplicates each node received (gossipsub's pre-validation duplicate counter), in node order. */
async function duplicates () {
  return { counts: duplicateCounts.slice(0, nodes.length) }
}

async function meshPeers ({ topic, node = 0 }) {
  return { peers: requireNode(node).services.pubsub.getMeshPeers(topic) }
}

async function subscribers ({ topic, node = 0 }) {
  return { peers: requireNode(node).services.pubsub.getSubscribers(topic).map(p => p.toString()) }
}

async function stop () {
  const all = nodes.splice(0)
  await Promise.all(all.map(n => n.stop()))
  return {}
}

await serve({ start, dial, peerInfo, subscribe, publish, publishMany, received: receivedOp, duplicates, meshPeers, subscribers, stop },
  { onClose: stop })
