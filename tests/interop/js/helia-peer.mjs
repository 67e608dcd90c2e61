// An unmodified Helia node (helia 7, @helia/unixfs 8, Bitswap 1.2.0 from @helia/bitswap) for the
// Bitswap interop tests and the swarm benchmark: Hyphae's assembled node on the other side.
// TCP + Noise + yamux + identify only; no delegated routers, no HTTP gateways, no DHT, no
// bootstrap or mDNS (nothing leaves 127.0.0.1), an in-memory blockstore.
//
// Ops: start, dial {addr}, addFile {path, chunkSize, maxLinks}, addFolder {path, chunkSize,
// maxLinks}, cat {cid, out, length} (fetches through Bitswap, the first `length` bytes if given,
// writes them to `out`, returns bytes, sha256 and millis), ls {cid}, peers, stop. CIDs cross as strings.
import { createHelia } from 'helia'
import { unixfs } from '@helia/unixfs'
import { tcp } from '@libp2p/tcp'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { identify, identifyPush } from '@libp2p/identify'
import { ping } from '@libp2p/ping'
import { multiaddr } from '@multiformats/multiaddr'
import { CID } from 'multiformats/cid'
import { fixedSize } from 'ipfs-unixfs-importer/chunker'
import { balanced } from 'ipfs-unixfs-importer/layout'
import { createHash } from 'node:crypto'
import { createReadStream, createWriteStream, readdirSync, statSync } from 'node:fs'
import { join, basename } from 'node:path'
import { serve } from './lib/jsonl-server.mjs'

let helia = null
let fs = null

function requireNode () {
  if (helia == null) throw new Error('call start first')
  return helia
}

function settings (request) {
  return {
    cidVersion: 1,
    rawLeaves: true,
    chunker: fixedSize({ chunkSize: request.chunkSize ?? 262144 }),
    layout: balanced({ maxChildrenPerNode: request.maxLinks ?? 174 })
  }
}

async function start () {
  helia = await createHelia({
    libp2p: {
      addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
      transports: [tcp()],
      connectionEncrypters: [noise()],
      streamMuxers: [yamux()],
      peerDiscovery: [],
      connectionGater: { denyDialMultiaddr: () => false },
      services: { identify: identify(), identifyPush: identifyPush(), ping: ping() }
    },
    http: { delegatedRouters: [], recursiveGateways: [] }
  })
  await helia.start()
  fs = unixfs(helia)
  return { peerId: helia.libp2p.peerId.toString(), addrs: helia.libp2p.getMultiaddrs().map(a => a.toString()) }
}

async function dial ({ addr }) {
  const conn = await requireNode().libp2p.dial(multiaddr(addr))
  return { peer: conn.remotePeer.toString() }
}

async function addFile (request) {
  requireNode()
  const cid = await fs.addByteStream(createReadStream(request.path), settings(request))
  return { cid: cid.toString() }
}

function * walk (dir, prefix) {
  for (const name of readdirSync(dir).sort()) {
    const full = join(dir, name)
    const path = `${prefix}/${name}`
    if (statSync(full).isDirectory()) {
      yield { path }
      yield * walk(full, path)
    } else {
      yield { path, content: createReadStream(full) }
    }
  }
}

async function addFolder (request) {
  requireNode()
  const name = basename(request.path)
  let root
  for await (const entry of fs.addAll(walk(request.path, name), settings(request))) {
    if (entry.path === name) root = entry
  }
  if (root == null) throw new Error(`the importer yielded no entry for ${name}`)
  return { cid: root.cid.toString() }
}

async function cat ({ cid, out, length }) {
  requireNode()
  const started = Date.now()
  const hash = createHash('sha256')
  const file = createWriteStream(out)
  let bytes = 0
  for await (const chunk of fs.cat(CID.parse(cid), length == null ? {} : { length })) {
    hash.update(chunk)
    bytes += chunk.byteLength
    if (!file.write(chunk)) await new Promise(resolve => file.once('drain', resolve))
  }
  await new Promise((resolve, reject) => file.end(err => err == null ? resolve() : reject(err)))
  return { bytes, sha256: hash.digest('hex'), millis: Date.now() - started }
}

async function ls ({ cid }) {
  requireNode()
  const entries = []
  for await (const e of fs.ls(CID.parse(cid))) {
    entries.push({ name: e.name, cid: e.cid.toString(), type: e.type })
  }
  return { entries }
}

async function peers () {
  return { peers: requireNode().libp2p.getPeers().map(p => p.toString()) }
}

async function stop () {
  if (helia != null) await helia.stop()
  helia = null
  return {}
}

await serve({ start, dial, addFile, addFolder, cat, ls, peers, stop }, { onClose: stop })
