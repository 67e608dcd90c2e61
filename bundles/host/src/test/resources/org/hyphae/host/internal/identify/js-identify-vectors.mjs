// Prints the golden vectors of IdentifyMessageTest, encoded by unmodified @libp2p/identify.
// Run from tests/interop/js: cp <this file> x.mjs && node --import ./node20-shim.mjs x.mjs; rm x.mjs
import { Identify } from './node_modules/@libp2p/identify/dist/src/pb/message.js'
import { multiaddr } from '@multiformats/multiaddr'
import { generateKeyPairFromSeed, publicKeyToProtobuf } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
const hex = (u) => Buffer.from(u).toString('hex')
const key = await generateKeyPairFromSeed('Ed25519', new Uint8Array(32).fill(7))
const msg = {
  protocolVersion: 'ipfs/0.1.0',
  agentVersion: 'hyphae/0.1.0',
  publicKey: publicKeyToProtobuf(key.publicKey),
  listenAddrs: [multiaddr('/ip4/127.0.0.1/tcp/4001').bytes, multiaddr('/ip6/::1/tcp/4002/ws').bytes],
  observedAddr: multiaddr('/ip4/10.0.0.2/tcp/51234').bytes,
  protocols: ['/ipfs/id/1.0.0', '/ipfs/id/push/1.0.0', '/ipfs/ping/1.0.0'],
}
console.log(JSON.stringify({peer: peerIdFromPrivateKey(key).toString(), full: hex(Identify.encode(msg)),
  push: hex(Identify.encode({listenAddrs: msg.listenAddrs, protocols: ['/x/1.0.0'], agentVersion: 'a', protocolVersion: 'p'})),
  empty: hex(Identify.encode({listenAddrs: [], protocols: []}))}))
