// Every code the station server can send has a message in both languages: the codes are read from
// the server's source, so a new refusal without a message (or missing from the shared list) fails.
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { SERVER_ERROR_CODES } from '../../../src/domain/error-codes'
import { REJECT_CODES } from '../../../src/domain/sync-protocol'
import { REFUSAL_CODES } from '../../../src/server/repo/refusal'
import zhServerErrors from '../../../src/app/i18n/locales/zh-CN/serverErrors'
import enServerErrors from '../../../src/app/i18n/locales/en/serverErrors'
import { serverErrorText } from '../../../src/app/i18n/server-errors'
import { createAppI18n, loadFeatures } from '../../../src/app/i18n'

function serverSources(dir = 'src/server'): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f)
    return statSync(p).isDirectory() ? serverSources(p) : p.endsWith('.ts') ? [p] : []
  })
}

// Every way the server sets a code: new ApiError(status, 'code') (http/), new Refusal('code') (repo/),
// check/parseOr400/parseOrRefuse(…, 'code'), reject('code'), c.json({ code: 'code' }), a default
// `code = 'code'`, and outcomes written as { code: 'code', message }.
const CODE_PATTERNS = [
  /new ApiError\(\s*\d+,\s*'([a-z][a-z0-9_]*)'/g,
  /new Refusal\(\s*'([a-z][a-z0-9_]*)'/g,
  /\bcheck\([^;]*?,\s*'([a-z][a-z0-9_]*)'\s*,?\s*\)/g,
  /parseOr400\([^;]*?,\s*'([a-z][a-z0-9_]*)'\s*,?\s*\)/g,
  /parseOrRefuse\([^;]*?,\s*'([a-z][a-z0-9_]*)'\s*,?\s*\)/g,
  /\breject\(\s*'([a-z][a-z0-9_]*)'/g,
  /c\.json\(\s*\{\s*code:\s*'([a-z][a-z0-9_]*)'/g,
  /\bcode = '([a-z][a-z0-9_]*)'/g,
  /\bcode:\s*'([a-z][a-z0-9_]*)',\s*message:/g,
]

function codesInServer(): Map<string, string> {
  const found = new Map<string, string>()
  for (const file of serverSources()) {
    const text = readFileSync(file, 'utf8')
    for (const pattern of CODE_PATTERNS) for (const m of text.matchAll(pattern)) found.set(m[1]!, file)
  }
  return found
}

describe('server error codes', () => {
  it('every code in the server source is in the shared list', () => {
    const found = codesInServer()
    // The scan finds the codes it should (a broken pattern would make this test pass on nothing).
    for (const known of ['invalid_code', 'duplicate_din', 'internal', 'invalid_record', 'bad_credentials'])
      expect(found.has(known), known).toBe(true)
    const missing = [...found.keys()].filter((c) => !SERVER_ERROR_CODES.includes(c))
    expect(missing, `codes without an entry in src/domain/error-codes.ts: ${missing.join(', ')}`).toEqual([])
    for (const c of REJECT_CODES) expect(SERVER_ERROR_CODES).toContain(c)
    for (const c of REFUSAL_CODES) expect(SERVER_ERROR_CODES).toContain(c)
  })

  it('every code has a message in Chinese and in English, and the Chinese one has no Latin sentence', () => {
    const zh = zhServerErrors as Record<string, string>
    const en = enServerErrors as Record<string, string>
    for (const code of SERVER_ERROR_CODES) {
      expect(zh[code], `zh-CN message for ${code}`).toBeTruthy()
      expect(en[code], `en message for ${code}`).toBeTruthy()
      expect(zh[code]).not.toMatch(/[a-z]{4,}/)
      expect(zh[code]).toMatch(/[\u4e00-\u9fff]/)
    }
    expect(Object.keys(zh).sort()).toEqual(Object.keys(en).sort())
  })

  it('a screen shows the code as a sentence in the user language, never the code or the English message', async () => {
    const i18n = createAppI18n('zh-CN')
    // Field features beyond the first screen's (these among them) load before any other screen shows.
    await loadFeatures()
    const t = (i18n.global as unknown as { t: (key: string) => string }).t
    expect(serverErrorText(t, 'invalid_code')).toBe('登记码无效或已过期，请向血站要一个新的。')
    expect(serverErrorText(t, 'duplicate_din')).toContain('血袋号')
    expect(serverErrorText(t, 'http_418')).toBe('血站拒绝了这次请求。')
    expect(serverErrorText(t, null)).toBe('血站拒绝了这次请求。')
  })
})

describe('field errors on the sync screen', () => {
  it('says an attention refusal in the user language', async () => {
    const { errorMessage } = await import('../../../src/app/i18n/errors')
    const { AttentionError } = await import('../../../src/app/sync/attention')
    const i18n = createAppI18n('zh-CN')
    const t = (i18n.global as unknown as { t: (key: string) => string }).t
    expect(errorMessage(t, new AttentionError('not_rejected', 'this record is not waiting for attention'))).toBe(
      '这条记录已经不在需要处理的列表里（可能已经处理过）。',
    )
  })
})
