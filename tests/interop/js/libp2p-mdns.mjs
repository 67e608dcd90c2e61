// An unmodified js-libp2p node with @libp2p/mdns for the mDNS interop test: it announces itself
// on 224.0.0.251:5353 (answering _p2p._udp.local PTR queries) and queries for others. Same stack
// as libp2p-node.mjs (TCP, Noise, yamux, identify, ping) plus mdns peer discovery.
//
// Ops: start ({ interval }), discovered (the peers mdns reported so far, with addresses),
// connections, stop. Events: "discovered" { peer, addrs } each time mdns reports a peer.
import { createLibp2p } from 'libp2p'
import { tcp } from '@libp2p/tcp'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { identify } from '@libp2p/identify'
import { ping } from '@libp2p/ping'
import { mdns } from '@libp2p/mdns'
import { serve, emit } from './lib/jsonl-server.mjs'

let node = null
const found = new Map()

async function start ({ interval = 1000 } = {}) {
  node = await createLibp2p({
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionGater: { denyDialMultiaddr: () => false },
    peerDiscovery: [mdns({ interval })],
    services: { identify: identify(), ping: ping() }
  })
  node.addEventListener('peer:discovery', (evt) => {
    const peer = evt.detail.id.toString()
    const addrs = evt.detail.multiaddrs.map(a => a.toString())
    found.set(peer, addrs)
    emit('discovered', { peer, addrs })
  })
  return { peerId: node.peerId.toString(), addrs: node.getMultiaddrs().map(a => a.toString()) }
}

async function discovered () {
  return { peers: [...found].map(([peer, addrs]) => ({ peer, addrs })) }
}

async function connections () {
  if (node == null) throw new Error('call start first')
  return { peers: node.getConnections().map(c => c.remotePeer.toString()) }
}

async function stop () {
  if (node != null) await node.stop()
  node = null
  return {}
}

await serve({ start, discovered, connections, stop }, { onClose: stop })
