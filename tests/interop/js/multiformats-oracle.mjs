// Oracle for identity/multiformats agreement tests: answers questions about peer ids,
// keys, multiaddrs and CIDs with the unmodified npm packages that js-libp2p uses.
//
// Run: node --import ./node20-shim.mjs multiformats-oracle.mjs
// Then write one JSON request per line on stdin, e.g.
//   {"id":1,"op":"multiaddr","text":"/ip4/127.0.0.1/tcp/4001"}
// and read one JSON response per line on stdout (see lib/jsonl-server.mjs).
//
// Byte values travel as lower-case hex strings.
import {
  generateKeyPair,
  privateKeyFromProtobuf,
  privateKeyToProtobuf,
  publicKeyFromProtobuf,
  publicKeyToProtobuf
} from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey, peerIdFromPublicKey, peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { base32 } from 'multiformats/bases/base32'
import { base36 } from 'multiformats/bases/base36'
import { base58btc } from 'multiformats/bases/base58'
import { bases } from 'multiformats/basics'
import { CID } from 'multiformats/cid'
import { sha256 } from 'multiformats/hashes/sha2'
import { hex, hexArg, serve, str } from './lib/jsonl-server.mjs'

// Multicodec codes this oracle knows by name (multiformats/multicodec table.csv).
const CODECS = {
  raw: 0x55,
  'dag-pb': 0x70,
  'dag-cbor': 0x71,
  'libp2p-key': 0x72,
  'dag-json': 0x0129
}
const CODEC_NAMES = Object.fromEntries(Object.entries(CODECS).map(([k, v]) => [v, k]))

// A decoder accepting every multibase the multiformats package ships.
const ANY_BASE = Object.values(bases).map(b => b.decoder).reduce((a, b) => a.or(b))

const P2P = 421 // multiaddr code of /p2p
const P2P_CIRCUIT = 290 // multiaddr code of /p2p-circuit

function peerIdResult (peerId) {
  const result = {
    type: peerId.type,
    base58: peerId.toString(),
    cid: peerId.toCID().toString(),
    multihashHex: hex(peerId.toMultihash().bytes)
  }
  if (peerId.publicKey != null) {
    result.publicKeyProtoHex = hex(publicKeyToProtobuf(peerId.publicKey))
  }
  return result
}

function codecArg (request) {
  const c = request.codec
  if (typeof c === 'number' && Number.isInteger(c) && c >= 0) return c
  if (typeof c === 'string' && Object.hasOwn(CODECS, c)) return CODECS[c]
  throw new Error(`argument "codec" must be a multicodec code or one of ${Object.keys(CODECS).join(', ')}`)
}

function cidResult (cid) {
  const v1 = cid.toV1()
  const result = {
    text: cid.toString(),
    version: cid.version,
    codec: cid.code,
    codecName: CODEC_NAMES[cid.code] ?? null,
    multihashCode: cid.multihash.code,
    multihashDigestHex: hex(cid.multihash.digest),
    multihashHex: hex(cid.multihash.bytes),
    hex: hex(cid.bytes),
    v1hex: hex(v1.bytes),
    v1base32: v1.toString(base32),
    v1base58: v1.toString(base58btc),
    v1base36: v1.toString(base36),
    v0: null
  }
  if (cid.version === 0) {
    result.v0 = cid.toString()
  } else if (cid.code === CODECS['dag-pb'] && cid.multihash.code === sha256.code) {
    result.v0 = cid.toV0().toString()
  }
  return result
}

// The rule of @multiformats/multiaddr 12's Multiaddr.getPeerId() (removed in 13, where
// libp2p code reads the components): the last /p2p value, ignoring any /p2p that comes
// before a /p2p-circuit (that one is the relay's); normalised to base58btc.
function peerIdOfMultiaddr (ma) {
  let candidates = []
  for (const c of ma.getComponents()) {
    if (c.code === P2P) candidates.push(c.value)
    if (c.code === P2P_CIRCUIT) candidates = []
  }
  const value = candidates.pop()
  if (value == null) return null
  return peerIdFromString(value).toString()
}

function mustBeComponentAligned (ma, by) {
  // js decapsulate() works on the text with lastIndexOf; refuse cuts that fall inside
  // a component value so that the oracle only answers well-defined questions.
  const s = ma.toString()
  const b = by.toString()
  const i = s.lastIndexOf(b)
  if (i < 0) return
  const after = s.slice(i + b.length)
  if (after !== '' && !after.startsWith('/')) {
    throw new Error(`"${b}" does not end on a component boundary of "${s}"`)
  }
}

const handlers = {
  ping: async () => ({ pong: true }),

  // ---- keys and peer ids ----------------------------------------------------------
  peerIdFromPublicKeyProto: async (req) => {
    const key = publicKeyFromProtobuf(hexArg(req, 'hex'))
    return peerIdResult(peerIdFromPublicKey(key))
  },

  peerIdFromPrivateKeyProto: async (req) => {
    const key = privateKeyFromProtobuf(hexArg(req, 'hex'))
    return {
      ...peerIdResult(peerIdFromPrivateKey(key)),
      keyType: key.type,
      publicKeyProtoHex: hex(publicKeyToProtobuf(key.publicKey)),
      publicKeyRawHex: hex(key.publicKey.raw),
      privateKeyProtoHex: hex(privateKeyToProtobuf(key))
    }
  },

  parsePeerId: async (req) => {
    return peerIdResult(peerIdFromString(str(req, 'text')))
  },

  // {type?: 'Ed25519' (default) | 'secp256k1' | 'RSA', bits?: RSA size (default 2048)}
  generateKey: async (req) => {
    const type = req.type ?? 'Ed25519'
    if (!['Ed25519', 'secp256k1', 'RSA'].includes(type)) throw new Error(`unsupported key type ${JSON.stringify(type)}`)
    const key = type === 'RSA' ? await generateKeyPair('RSA', req.bits ?? 2048) : await generateKeyPair(type)
    const peerId = peerIdFromPrivateKey(key)
    return {
      type: key.type,
      privateKeyProtoHex: hex(privateKeyToProtobuf(key)),
      publicKeyProtoHex: hex(publicKeyToProtobuf(key.publicKey)),
      publicKeyRawHex: hex(key.publicKey.raw),
      base58: peerId.toString(),
      cid: peerId.toCID().toString()
    }
  },

  sign: async (req) => {
    const key = privateKeyFromProtobuf(hexArg(req, 'privateKeyProtoHex'))
    const signature = await key.sign(hexArg(req, 'dataHex'))
    return { signatureHex: hex(signature) }
  },

  verify: async (req) => {
    const key = publicKeyFromProtobuf(hexArg(req, 'publicKeyProtoHex'))
    const data = hexArg(req, 'dataHex')
    const signature = hexArg(req, 'signatureHex')
    try {
      return { valid: (await key.verify(data, signature)) === true }
    } catch (err) {
      // A rejected (e.g. malformed) signature is an invalid one; say why.
      return { valid: false, verifyError: err.message ?? String(err) }
    }
  },

  // ---- multiaddr ------------------------------------------------------------------
  multiaddr: async (req) => {
    const ma = multiaddr(str(req, 'text'))
    return { text: ma.toString(), hex: hex(ma.bytes) }
  },

  multiaddrFromBytes: async (req) => {
    const ma = multiaddr(hexArg(req, 'hex'))
    return { text: ma.toString(), hex: hex(ma.bytes) }
  },

  decapsulate: async (req) => {
    const ma = multiaddr(str(req, 'text'))
    const by = multiaddr(str(req, 'by'))
    mustBeComponentAligned(ma, by)
    const result = ma.decapsulate(by)
    return { text: result.toString(), hex: hex(result.bytes) }
  },

  decapsulateCode: async (req) => {
    const code = req.code
    if (!Number.isInteger(code)) throw new Error('argument "code" must be an integer')
    const result = multiaddr(str(req, 'text')).decapsulateCode(code)
    return { text: result.toString(), hex: hex(result.bytes) }
  },

  getPeerId: async (req) => {
    return { peerId: peerIdOfMultiaddr(multiaddr(str(req, 'text'))) }
  },

  // ---- CID ------------------------------------------------------------------------
  cid: async (req) => {
    return cidResult(CID.parse(str(req, 'text'), ANY_BASE))
  },

  // The CID's text in the named multibase (a name from multiformats/basics: base32, base36,
  // base58btc, base64url, ...). A CIDv0 can only be written in base58btc.
  cidToString: async (req) => {
    const cid = CID.parse(str(req, 'text'), ANY_BASE)
    const name = str(req, 'base')
    if (!Object.hasOwn(bases, name)) throw new Error(`unknown multibase "${name}"; known: ${Object.keys(bases).join(', ')}`)
    return { text: cid.toString(bases[name]) }
  },

  cidFromBytes: async (req) => {
    const cid = CID.decode(hexArg(req, 'hex'))
    return cidResult(cid)
  },

  cidOf: async (req) => {
    const code = codecArg(req)
    const version = req.version ?? 1
    if (version !== 0 && version !== 1) throw new Error('argument "version" must be 0 or 1')
    const digest = await sha256.digest(hexArg(req, 'dataHex'))
    const cid = version === 0 ? CID.createV0(digest) : CID.createV1(code, digest)
    if (version === 0 && code !== CODECS['dag-pb']) throw new Error('CIDv0 is dag-pb only')
    return cidResult(cid)
  }
}

await serve(handlers)
