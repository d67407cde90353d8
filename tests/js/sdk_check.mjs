// The official Bitrix24 JS SDK, unchanged, against a portal's incoming webhook.
// Usage: node sdk_check.mjs <webhook url> <deals>; prints one JSON line (prefixed "RESULT ") for the test.
import { AjaxError, B24Hook } from '@bitrix24/b24jssdk'

const [url, count] = [process.argv[2], Number(process.argv[3] || 120)]
const b24 = B24Hook.fromWebhookUrl(url)
const out = { origin: b24.getTargetOrigin() }

// keyed batches of crm.deal.add, at most 50 commands a batch
const titles = Array.from({ length: count }, (_, i) => `JS SDK deal ${String(i + 1).padStart(3, '0')}`)
const ids = {}
for (let from = 0; from < count; from += 50) {
  const calls = {}
  titles.slice(from, from + 50).forEach((title, n) => {
    calls[`deal${from + n + 1}`] = { method: 'crm.deal.add', params: { fields: { TITLE: title, OPPORTUNITY: 10 } } }
  })
  const res = await b24.callBatch(calls, true)
  Object.assign(ids, res.getData())
}
out.batch_keys = Object.keys(ids).length
out.batch_ids_unique = new Set(Object.values(ids).map(Number)).size

const got = await b24.callMethod('crm.deal.get', { id: ids.deal7 })
out.get_title = got.getData().result.TITLE

const listed = await b24.callListMethod('crm.deal.list', { select: ['ID', 'TITLE'] })
out.list_count = listed.getData().length
out.list_titles_match = JSON.stringify(listed.getData().map((r) => r.TITLE).sort()) === JSON.stringify(titles)

const streamed = []
let chunks = 0
for await (const chunk of b24.fetchListMethod('crm.deal.list', { select: ['ID', 'TITLE'] }, 'ID')) {
  chunks += 1
  streamed.push(...chunk)
}
out.fetch_count = streamed.length
out.fetch_chunks = chunks
out.fetch_ids_match = JSON.stringify(streamed.map((r) => Number(r.ID)).sort((a, b) => a - b))
  === JSON.stringify(Object.values(ids).map(Number).sort((a, b) => a - b))

try {
  await b24.callMethod('crm.deal.get', { id: 999999 })
  out.missing = null
} catch (e) {
  out.missing = e instanceof AjaxError
    ? { ajax_error: true, code: e.code, status: e.status, message: String(e.message) }
    : { ajax_error: false, message: String(e && e.message) }
}
// the SDK itself refuses a plain-HTTP webhook: the reason the sandbox speaks HTTPS
try {
  B24Hook.fromWebhookUrl(url.replace(/^https:/, 'http:'))
  out.http_refused = null
} catch (e) {
  out.http_refused = e.code || String(e.message)
}
b24.destroy?.()
console.log('RESULT ' + JSON.stringify(out))
