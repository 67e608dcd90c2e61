// Opens a Hyphae node's dashboard in headless Chromium (Debian's /usr/bin/chromium, driven by
// playwright-core), waits for it to show a running fetch, the expected peer in the routing table,
// the chain's recent blocks and the peer with its latency, switches an area through its button,
// and takes a screenshot. Usage:
//   node dashboard-browser.mjs <dashboard url> <peer id expected> <area> <choice> <screenshot.png> <root being fetched>
// Prints one JSON line with what the page showed; exits non-zero on any failure.
import { chromium } from 'playwright-core'

const [url, peer, area, choice, screenshot, fetching] = process.argv.slice(2)
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
    '--disable-component-update', '--disable-sync']
})
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } })
  const errors = []
  page.on('pageerror', e => errors.push(String(e)))
  await page.goto(url, { timeout: 60000 })
  // The fetch is waiting for a block nobody has: listed with no bytes yet and no known total.
  const transfer = page.locator(`#transfers tr[data-root="${fetching}"]`)
  await transfer.waitFor({ timeout: 60000 })
  const transferText = await transfer.textContent()
  await page.locator(`#routing tr[data-bucket] div[data-peer="${peer}"]`).waitFor({ timeout: 60000 })
  const routing = await page.locator('#routing-summary').textContent()
  await page.locator('#blocks tbody tr[data-height]').first().waitFor({ timeout: 60000 })
  const chainHead = await page.locator('#chain-head').textContent()
  const blocks = await page.locator('#blocks tbody tr[data-height]').evaluateAll(rows => rows.map(r => Number(r.getAttribute('data-height'))))
  const peerRow = page.locator(`#peers tr[data-peer="${peer}"]`)
  await peerRow.waitFor({ timeout: 60000 })
  // Latency is measured by ping when the status is fetched: wait for a number.
  await page.waitForFunction(p => {
    const cell = document.querySelector(`#peers tr[data-peer="${p}"] td.latency`)
    return cell && / ms$/.test(cell.textContent)
  }, peer, { timeout: 60000 })
  const latency = await peerRow.locator('td.latency').textContent()
  const button = page.locator(`#areas button[data-area="${area}"][data-choice="${choice}"]`)
  await button.waitFor({ timeout: 60000 })
  await button.click()
  await page.locator(`#areas button.selected[data-area="${area}"][data-choice="${choice}"]`).waitFor({ timeout: 60000 })
  const message = await page.locator('#message').textContent()
  const areas = await page.locator('#areas tbody tr').evaluateAll(rows => rows.map(r => r.getAttribute('data-area')))
  // The click scrolled down to the areas (the new views are above them): the screenshot shows the top.
  await page.evaluate(() => window.scrollTo(0, 0))
  await page.screenshot({ path: screenshot, fullPage: false })
  console.log(JSON.stringify({ ok: true, latency, message, areas, transferText, routing, chainHead, blocks, errors }))
} catch (e) {
  console.log(JSON.stringify({ ok: false, error: String(e) }))
  process.exitCode = 1
} finally {
  await browser.close()
}
