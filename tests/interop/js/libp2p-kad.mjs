// An unmodified js-libp2p node with @libp2p/kad-dht (server mode, /ipfs/kad/1.0.0) for the DHT
// interop tests: Hyphae's assembled node on one side, this on the other. Same stack as
// libp2p-node.mjs (TCP, Noise, yamux, identify and push, ping) plus kadDHT.
//
// Ops: start, dial, putPk (publish this node's public key under /pk/<peer id bytes>), get (key as
// hex), provide (cid), findProviders (cid), findPeer (peer), routingTable, stop.
// On 127.0.0.1 kad-dht needs passthroughMapper: by default it drops private and loopback
// addresses and its routing table stays empty.
import { createLibp2p } from 'libp2p'
import { tcp } from '@libp2p/tcp'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { identify, identifyPush } from '@libp2p/identify'
import { ping } from '@libp2p/ping'
import { kadDHT, passthroughMapper } from '@libp2p/kad-dht'
import { publicKeyToProtobuf } from '@libp2p/crypto/keys'
import { multiaddr } from '@multiformats/multiaddr'
import { peerIdFromString } from '@libp2p/peer-id'
import { CID } from 'multiformats/cid'
import { toString as toHex, fromString as fromHex } from 'uint8arrays'
import { serve, emit } from './lib/jsonl-server.mjs'

let node = null

function requireNode () {
  if (node == null) throw new Error('call start first')
  return node
}

const hex = (bytes) => toHex(bytes, 'base16')
const unhex = (text) => fromHex(text, 'base16')

async function start () {
  node = await createLibp2p({
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionGater: { denyDialMultiaddr: () => false },
    services: {
      identify: identify(),
      identifyPush: identifyPush(),
      ping: ping(),
      dht: kadDHT({ protocol: '/ipfs/kad/1.0.0', clientMode: false, peerInfoMapper: passthroughMapper })
    }
  })
  node.addEventListener('connection:open', (evt) => {
    const c = evt.detail
    emit('connection', { peer: c.remotePeer.toString(), addr: c.remoteAddr.toString(), direction: c.direction })
  })
  return { peerId: node.peerId.toString(), addrs: node.getMultiaddrs().map(a => a.toString()) }
}

async function dial ({ addr }) {
  const conn = await requireNode().dial(multiaddr(addr))
  return { peer: conn.remotePeer.toString() }
}

/** Waits until the DHT's routing table holds `peer` (added after identify says it serves kad). */
async function awaitPeer ({ peer, waitMillis = 15000 }) {
  const deadline = Date.now() + waitMillis
  const id = peerIdFromString(peer)
  while (Date.now() < deadline) {
    const rt = requireNode().services.dht.routingTable
    if (rt.find != null && (await rt.find(id)) != null) return { size: rt.size }
    await new Promise(resolve => setTimeout(resolve, 100))
  }
  throw new Error(`${peer} never entered the kad routing table`)
}

async function routingTable () {
  return { size: requireNode().services.dht.routingTable.size }
}

async function drain (events, pick) {
  const seen = []
  for await (const evt of events) {
    seen.push(evt.name)
    pick?.(evt)
  }
  return seen
}

async function putPk () {
  const n = requireNode()
  const value = publicKeyToProtobuf(n.peerId.publicKey)
  const key = new Uint8Array([...new TextEncoder().encode('/pk/'), ...n.peerId.toMultihash().bytes])
  await drain(n.services.dht.put(key, value))
  return { key: hex(key), value: hex(value) }
}

/** Every VALUE the lookup produced, with the peer it came from (this node's own copy included). */
async function get ({ key }) {
  let value = null
  const from = []
  await drain(requireNode().services.dht.get(unhex(key)), (evt) => {
    if (evt.name === 'VALUE') {
      if (value == null) value = hex(evt.value)
      from.push({ peer: evt.from.toString(), value: hex(evt.value) })
    }
  })
  return { value, from }
}

async function provide ({ cid }) {
  await drain(requireNode().services.dht.provide(CID.parse(cid)))
  return {}
}

async function findProviders ({ cid }) {
  const found = new Map()
  await drain(requireNode().services.dht.findProviders(CID.parse(cid)), (evt) => {
    if (evt.name === 'PROVIDER') {
      for (const p of evt.providers) found.set(p.id.toString(), p.multiaddrs.map(a => a.toString()))
    }
  })
  return { providers: [...found].map(([peer, addrs]) => ({ peer, addrs })) }
}

async function findPeer ({ peer }) {
  let result = null
  await drain(requireNode().services.dht.findPeer(peerIdFromString(peer)), (evt) => {
    if (evt.name === 'FINAL_PEER') result = { peer: evt.peer.id.toString(), addrs: evt.peer.multiaddrs.map(a => a.toString()) }
  })
  if (result == null) throw new Error(`${peer} not found`)
  return result
}

async function stop () {
  if (node != null) await node.stop()
  node = null
  return {}
}

await serve({ start, dial, awaitPeer, routingTable, putPk, get, provide, findProviders, findPeer, stop }, { onClose: stop })
