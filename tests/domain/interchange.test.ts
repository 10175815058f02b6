import { readFileSync } from 'node:fs'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { computeIndicators } from '../../src/domain/indicators'
import {
  CSV_COLUMNS,
  CSV_TYPES,
  csvColumnsMarkdown,
  detectCsvType,
  parseCsv,
  parseCsvRows,
  parseJsonLines,
  toCsv,
  toJsonLines,
  type CsvType,
} from '../../src/domain/interchange'
import { deferralReasonCodes, type FieldRecord, SCHEMA_VERSION } from '../../src/domain/records'
import type { ReferenceData } from '../../src/domain/reference-data'
import {
  RURAL,
  STATION,
  STREET,
  UNIVERSITY,
  arbCorrectionFor,
  arbDeferral,
  arbDonation,
  arbDrive,
  arbRecordSet,
  arbVoidFor,
  correctionOf,
  deferral,
  donation,
  drive,
  testId,
} from './support/records'

const reference: ReferenceData = {
  stations: [{ id: STATION, code: 'luoyang', name: '洛阳市中心血站', timeZone: 'Asia/Shanghai' }],
  sites: [{ id: testId(), stationId: STATION, name: '宜阳县乡镇采血点, "东"', kind: 'township', area: '宜阳县' }],
  channels: [
    {
      id: RURAL,
      stationId: STATION,
      code: 'rural_mobile',
      nameZh: '乡村流动',
      nameEn: 'Rural mobile',
      ruralMobile: true,
    },
    {
      id: UNIVERSITY,
      stationId: STATION,
      code: 'universities',
      nameZh: '高校',
      nameEn: 'Universities',
      ruralMobile: false,
    },
    {
      id: STREET,
      stationId: STATION,
      code: 'street_fixed',
      nameZh: '街头及固定献血点',
      nameEn: 'Street and fixed sites',
      ruralMobile: false,
    },
  ],
  teams: [
    {
      id: testId(),
      stationId: STATION,
      code: 'rare_blood_type',
      nameZh: '稀有血型献血队伍',
      nameEn: 'Rare blood type',
    },
  ],
  populations: [{ stationId: STATION, year: 2023, population: 7_077_000 }],
}
const ctx = { ruralMobileChannelIds: new Set([RURAL]), population: 1000 }

/** Field records split into per-type CSV tables, as `generate --out x.csv` writes them. */
function throughCsv(records: FieldRecord[]): FieldRecord[] {
  const out: FieldRecord[] = []
  for (const type of ['donation', 'deferral', 'drive', 'void', 'correction'] as const) {
    const text = toCsv(type, records.filter((r) => r.type === type) as never[])
    expect(detectCsvType(text)).toBe(type)
    const parsed = parseCsv(type, text)
    expect(parsed.errors).toEqual([])
    out.push(...parsed.records)
  }
  return out
}

describe('CSV text (RFC 4180)', () => {
  it('quotes cells with commas, quotes and line breaks, and reads them back', () => {
    const text = 'a,b,c\r\n"x, y","say ""hi""","two\r\nlines"\r\nplain,,end\r\n'
    const { rows, errors } = parseCsvRows(text)
    expect(errors).toEqual([])
    expect(rows).toEqual([
      { line: 1, cells: ['a', 'b', 'c'] },
      { line: 2, cells: ['x, y', 'say "hi"', 'two\r\nlines'] },
      { line: 4, cells: ['plain', '', 'end'] },
    ])
  })

  it('accepts a BOM, LF or CR line ends, no final line end, and skips blank lines', () => {
    expect(parseCsvRows('\uFEFFa,b\n1,2\n\n3,4').rows.map((r) => r.cells)).toEqual([
      ['a', 'b'],
      ['1', '2'],
      ['3', '4'],
    ])
    expect(parseCsvRows('a,b\r1,2\r').rows.map((r) => r.cells)).toEqual([
      ['a', 'b'],
      ['1', '2'],
    ])
    expect(parseCsvRows('a,b,\n').rows[0]!.cells).toEqual(['a', 'b', ''])
  })

  it('reports malformed quoting with the line it starts on', () => {
    expect(parseCsvRows('a\nx"y\n').errors).toEqual([
      { line: 2, message: expect.stringMatching(/quote inside an unquoted cell/) },
    ])
    expect(parseCsvRows('a\n"x"y\n').errors).toEqual([{ line: 2, message: 'text after a closing quote' }])
    expect(parseCsvRows('a\nok\n"never closed\n').errors).toEqual([{ line: 3, message: 'a quoted cell is not closed' }])
  })

  it("writes CRLF, no BOM, and a header of the type's columns", () => {
    const text = toCsv('channel', reference.channels)
    expect(text.charCodeAt(0)).not.toBe(0xfeff)
    expect(text.split('\r\n')[0]).toBe('id,stationId,code,nameZh,nameEn,ruralMobile')
    expect(text.endsWith('\r\n')).toBe(true)
    expect(detectCsvType(text)).toBe('channel')
    expect(detectCsvType('nothing,we,know\r\n')).toBeNull()
  })

  it('round-trips any cell text', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.array(fc.string({ unit: fc.constantFrom('a', ',', '"', '\r', '\n', ' ', '献') }), {
            minLength: 2,
            maxLength: 4,
          }),
          { minLength: 1, maxLength: 5 },
        ),
        (table) => {
          const width = table[0]!.length
          const rows = table.map((r) => [...r, ...Array<string>(width).fill('')].slice(0, width))
          const text = rows
            .map((r) => r.map((c) => (/[",\r\n]/.test(c) ? `"${c.replaceAll('"', '""')}"` : c)).join(','))
            .join('\r\n')
          const parsed = parseCsvRows(text).rows.map((r) => r.cells)
          // Rows whose only cell is empty are blank lines, which the reader skips.
          expect(parsed).toEqual(rows.filter((r) => !(r.length === 1 && r[0] === '')))
        },
      ),
    )
  })
})

describe('CSV tables', () => {
  it('round-trip donations, deferrals, drives, voids and corrections (fast-check)', () => {
    const arbMixed = fc.array(
      fc.oneof(arbDonation, arbDeferral, arbDrive, arbVoidFor(testId(1)), arbCorrectionFor(testId(2))),
      { maxLength: 12 },
    )
    fc.assert(
      fc.property(arbMixed, (records) => {
        const back = throughCsv(records)
        const byId = (rs: FieldRecord[]) => [...rs].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
        expect(byId(back)).toEqual(byId(records))
      }),
      { numRuns: 150 },
    )
  })

  it('round-trip every reference table', () => {
    for (const [type, rows] of [
      ['station', reference.stations],
      ['site', reference.sites],
      ['channel', reference.channels],
      ['team', reference.teams],
      ['population', reference.populations],
    ] as const) {
      const parsed = parseCsv(type, toCsv(type, rows as never[]))
      expect(parsed).toEqual({ records: rows, errors: [] })
    }
  })

  it('re-imports to the same indicators, voids and corrections included', () => {
    fc.assert(
      fc.property(arbRecordSet, (records) => {
        expect(computeIndicators(throughCsv(records), ctx)).toEqual(computeIndicators(records, ctx))
      }),
      { numRuns: 100 },
    )
  })

  it('reads columns in any order', () => {
    const d = donation({ vitals: undefined })
    const text = toCsv('donation', [d])
    const [head, row] = text.split('\r\n').map((l) => parseCsvRows(l).rows[0]?.cells ?? [])
    const order = head!.map((_, k) => k).reverse()
    const shuffled = [order.map((k) => head![k]).join(','), order.map((k) => row![k]).join(',')].join('\r\n')
    expect(parseCsv('donation', shuffled)).toEqual({ records: [d], errors: [] })
  })

  it('reports bad rows with line and column, and keeps the good ones', () => {
    const good = donation({ vitals: undefined })
    const lines = toCsv('donation', [good, donation({ vitals: undefined }), donation({ vitals: undefined })]).split(
      '\r\n',
    )
    const cols = CSV_COLUMNS.donation.map((c) => c.name)
    const edit = (line: string, col: string, value: string) => {
      const cells = parseCsvRows(line).rows[0]!.cells
      cells[cols.indexOf(col)] = value
      return cells.join(',')
    }
    lines[2] = edit(lines[2]!, 'product.volumeMl', 'lots')
    lines[3] = edit(lines[3]!, 'abo', 'C')
    const parsed = parseCsv('donation', lines.join('\r\n'))
    expect(parsed.records).toEqual([good])
    expect(parsed.errors).toEqual([
      { line: 3, message: 'product.volumeMl: "lots" is not a number' },
      { line: 4, message: expect.stringMatching(/^abo: /) },
    ])
  })

  it("refuses a header that is not the type's, and an empty file", () => {
    expect(parseCsv('donation', toCsv('drive', [drive()]))).toEqual({
      records: [],
      errors: [
        {
          line: 1,
          message: expect.stringMatching(
            /^not a donation table: missing column\(s\) driveId, .*; unknown column\(s\) busCode/,
          ),
        },
      ],
    })
    expect(parseCsv('team', '').errors).toEqual([{ line: 1, message: 'the file is empty: a header row is needed' }])
    expect(parseCsv('team', 'id,stationId,code,nameZh,nameEn\r\na,b\r\n').errors).toEqual([
      { line: 2, message: 'expected 5 cells, found 2' },
    ])
  })

  it('writes lists with ";" and reads empty lists, nulls and defaults', () => {
    const d = deferral({ until: null, teamIds: [testId(), testId()], note: '' })
    const text = toCsv('deferral', [d])
    expect(text).toContain(d.teamIds.join(';'))
    expect(parseCsv('deferral', text).records).toEqual([d])
  })

  it('a correction to a deferral round-trips', () => {
    const d = donation()
    const c = correctionOf(d, deferral({ id: d.id, until: '2023-07-01', note: 'came back, "cold"' }))
    expect(parseCsv('correction', toCsv('correction', [c]))).toEqual({ records: [c], errors: [] })
  })

  it('schema 2: a donation with an override and a deferral with several reasons round-trip', () => {
    const d = donation({
      override: {
        rules: ['interval'],
        reasonCode: 'urgent_clinical_need',
        approvedBy: testId(),
        approvedAt: '2023-06-14T09:28:00.000+08:00',
      },
    })
    expect(toCsv('donation', [d])).toContain(',interval,urgent_clinical_need,')
    expect(parseCsv('donation', toCsv('donation', [d]))).toEqual({ records: [d], errors: [] })
    const f = deferral({ reasonCode: 'age', reasonCodes: ['age', 'blood_pressure'] })
    expect(toCsv('deferral', [f])).toContain(',age;blood_pressure,')
    expect(parseCsv('deferral', toCsv('deferral', [f]))).toEqual({ records: [f], errors: [] })
  })

  it('schema 1 files without the new columns still read, and their deferrals read as [reasonCode]', () => {
    for (const type of ['donation', 'deferral'] as const) {
      const old = (CSV_COLUMNS[type] as readonly { name: string; since?: number }[]).filter((c) => !c.since)
      const rec = type === 'donation' ? donation() : deferral({ reasonCode: 'low_hb' })
      const full = toCsv(type, [rec as never])
      const rows = parseCsvRows(full).rows.map((r) =>
        r.cells.filter((_, k) => !(CSV_COLUMNS[type] as readonly { since?: number }[])[k]!.since),
      )
      const text = rows.map((cells) => cells.join(',')).join('\r\n')
      expect(rows[0]).toEqual(old.map((c) => c.name))
      expect(detectCsvType(text)).toBe(type)
      const parsed = parseCsv(type, text)
      expect(parsed).toEqual({ records: [rec], errors: [] })
      if (type === 'deferral') expect(deferralReasonCodes(parsed.records[0] as never)).toEqual(['low_hb'])
    }
  })

  it('refuses a record of another type', () => {
    expect(() => toCsv('donation', [drive() as never])).toThrow(/got a drive record/)
  })
})

describe('JSON Lines', () => {
  it('round-trips records and reference data, with a header first', () => {
    fc.assert(
      fc.property(arbRecordSet, (records) => {
        const text = toJsonLines(records, { reference, source: 'test' })
        expect(JSON.parse(text.slice(0, text.indexOf('\n')))).toEqual({
          type: 'header',
          format: 'bloodbus-interchange',
          version: 1,
          schemaVersion: SCHEMA_VERSION,
          source: 'test',
        })
        const parsed = parseJsonLines(text)
        expect(parsed.errors).toEqual([])
        expect(parsed.records).toEqual(records)
        expect(parsed.reference).toEqual(reference)
        expect(computeIndicators(parsed.records, ctx)).toEqual(computeIndicators(records, ctx))
      }),
      { numRuns: 100 },
    )
  })

  it('accepts a BOM, CRLF and blank lines, and a file without header', () => {
    const d = donation()
    const text = `\uFEFF${JSON.stringify(d)}\r\n\r\n${JSON.stringify(drive())}\r\n`
    const parsed = parseJsonLines(text)
    expect(parsed.errors).toEqual([])
    expect(parsed.header).toBeNull()
    expect(parsed.records.map((r) => r.type)).toEqual(['donation', 'drive'])
  })

  it('reports each bad line and keeps the rest', () => {
    const lines = [
      JSON.stringify(donation()),
      '{not json',
      JSON.stringify({ ...donation(), abo: 'C' }),
      JSON.stringify({ type: 'spaceship' }),
      '[1,2]',
      JSON.stringify({ type: 'channel', id: 'x' }),
      JSON.stringify(deferral()),
      JSON.stringify({ type: 'header', format: 'bloodbus-interchange', version: 1, schemaVersion: 1 }),
    ]
    const parsed = parseJsonLines(lines.join('\n'))
    expect(parsed.records.map((r) => r.type)).toEqual(['donation', 'deferral'])
    expect(parsed.errors).toEqual([
      { line: 2, message: 'not valid JSON' },
      { line: 3, message: expect.stringMatching(/^donation: abo: /) },
      { line: 4, message: 'unknown line type "spaceship"' },
      { line: 5, message: 'each line must be a JSON object with a "type"' },
      { line: 6, message: expect.stringMatching(/^channel: id: /) },
      { line: 8, message: 'the header must be the first line' },
    ])
  })

  it('refuses a file newer than the reader', () => {
    const newer = JSON.stringify({ type: 'header', format: 'bloodbus-interchange', version: 9, schemaVersion: 1 })
    expect(parseJsonLines(`${newer}\n${JSON.stringify(donation())}\n`).errors).toEqual([
      { line: 1, message: 'file format version 9 is newer than this reader (1)' },
    ])
    const newerRecords = JSON.stringify({
      type: 'header',
      format: 'bloodbus-interchange',
      version: 1,
      schemaVersion: 99,
    })
    expect(parseJsonLines(newerRecords).errors[0]!.message).toMatch(/record schema version 99 is newer/)
  })
})

describe('docs/data-format.md', () => {
  const doc = readFileSync(new URL('../../docs/data-format.md', import.meta.url), 'utf8')
  it.each(CSV_TYPES)('documents every %s column as the code defines it', (type: CsvType) => {
    expect(doc).toContain(csvColumnsMarkdown(type))
  })
})
