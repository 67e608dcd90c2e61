// Loaded with `node --import ./node20-shim.mjs <script>` by every interop process.
//
// Current js-libp2p targets Node 22. Node 20 (what the build machines have) lacks a
// couple of globals it relies on; add them here, only when missing, so the same
// scripts run unchanged on Node 22+.
import { WebSocket as WsWebSocket } from 'ws'

if (typeof Promise.withResolvers !== 'function') {
  Object.defineProperty(Promise, 'withResolvers', {
    configurable: true,
    writable: true,
    enumerable: false,
    value: function withResolvers () {
      let resolve
      let reject
      const promise = new this((res, rej) => {
        resolve = res
        reject = rej
      })
      return { promise, resolve, reject }
    }
  })
}

if (typeof globalThis.WebSocket !== 'function') {
  Object.defineProperty(globalThis, 'WebSocket', {
    configurable: true,
    writable: true,
    enumerable: false,
    value: WsWebSocket
  })
}
