// Oracle for UnixFS import agreement tests: imports bytes or a folder with the unmodified
// @helia/unixfs (ipfs-unixfs-importer underneath) into an in-memory blockstore and returns the
// root CID, so Hyphae's importer can be compared with Helia's for the same bytes and settings.
//
// Run: node --import ./node20-shim.mjs unixfs-oracle.mjs
// Then write one JSON request per line on stdin (see lib/jsonl-server.mjs), e.g.
//   {"id":1,"op":"addBytes","hex":"00ff","chunkSize":262144,"maxLinks":174}
//   {"id":2,"op":"addFolder","name":"root","chunkSize":1024,"maxLinks":174,
//    "entries":[{"path":"a.txt","hex":"61"},{"path":"sub/b","hex":""},{"path":"empty","dir":true}]}
// Responses carry {"cid": "<CIDv1 text>"} (CIDs cross as strings: helia 7 and @helia/unixfs 8
// install two multiformats versions whose CID classes do not mix).
// Settings always sent: cidVersion 1, rawLeaves true, a fixed-size chunker and a balanced layout
// with the given links per node (@helia/unixfs defaults to 1024; ipfs-unixfs-importer and kubo to 174).
import { unixfs } from '@helia/unixfs'
import { MemoryBlockstore } from 'blockstore-core'
import { fixedSize } from 'ipfs-unixfs-importer/chunker'
import { balanced } from 'ipfs-unixfs-importer/layout'
import { hexArg, serve } from './lib/jsonl-server.mjs'

function settings (request) {
  const chunkSize = request.chunkSize ?? 262144
  const maxLinks = request.maxLinks ?? 174
  return {
    cidVersion: 1,
    rawLeaves: true,
    chunker: fixedSize({ chunkSize }),
    layout: balanced({ maxChildrenPerNode: maxLinks })
  }
}

function fresh () {
  return unixfs({ blockstore: new MemoryBlockstore() })
}

await serve({
  async addBytes (request) {
    const cid = await fresh().addBytes(hexArg(request, 'hex'), settings(request))
    return { cid: cid.toString() }
  },

  // A folder named `name` holding `entries` (paths relative to it; "dir": true for an empty folder).
  async addFolder (request) {
    const name = request.name
    if (typeof name !== 'string' || name === '') throw new Error('argument "name" must be a non-empty string')
    const entries = request.entries
    if (!Array.isArray(entries)) throw new Error('argument "entries" must be an array')
    const source = entries.map(e => e.dir === true
      ? { path: `${name}/${e.path}` }
      : { path: `${name}/${e.path}`, content: Uint8Array.from(Buffer.from(e.hex, 'hex')) })
    let root
    for await (const entry of fresh().addAll(source, settings(request))) {
      if (entry.path === name) root = entry
    }
    if (root == null) throw new Error(`the importer yielded no entry for ${name}`)
    return { cid: root.cid.toString() }
  }
})
