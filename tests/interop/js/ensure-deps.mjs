// Installs the pinned npm packages (`npm ci`) unless node_modules is already up to date.
//
// "Up to date" means node_modules/.package-lock.json (which npm writes at the end of every
// install) is at least as new as package-lock.json and package.json. Maven runs this in
// generate-test-resources; run it by hand with `node ensure-deps.mjs` from this folder.
// Uses only Node built-ins: it must work before anything is installed.
import { spawnSync } from 'node:child_process'
import { statSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
const mtime = (name) => {
  try {
    return statSync(join(here, name)).mtimeMs
  } catch {
    return null
  }
}

const installed = mtime(join('node_modules', '.package-lock.json'))
const lock = mtime('package-lock.json')
const manifest = mtime('package.json')
if (lock == null) {
  console.error(`${join(here, 'package-lock.json')} is missing: run "npm install" in ${here} and commit the lock file`)
  process.exit(1)
}
if (installed != null && installed >= lock && installed >= manifest && process.argv[2] !== '--force') {
  console.log(`npm packages in ${join(here, 'node_modules')} are up to date`)
  process.exit(0)
}

console.log(`running npm ci in ${here}`)
const result = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], {
  cwd: here,
  stdio: 'inherit',
  shell: process.platform === 'win32'
})
if (result.error != null) {
  console.error(`could not run npm: ${result.error.message}`)
  process.exit(1)
}
process.exit(result.status ?? 1)
