// Files a station exchanges with other tools: JSON Lines (every record type plus the reference
// data a report needs, one file) and CSV (one table per record type). docs/data-format.md is the
// human description; the column tables there are generated from CSV_COLUMNS below and a test
// keeps them in step. Pure functions over strings: the app (export as a last resort) and the
// server use the same code.
import * as v from 'valibot'
import type { ReferenceData } from './reference-data'
import {
  ABO_GROUPS,
  AdverseReactionSchema,
  ChannelSchema,
  CorrectionSchema,
  DeferralSchema,
  DonationSchema,
  DonorIdentitySchema,
  DriveCloseSchema,
  DriveSchema,
  FieldRecordSchema,
  HOUSEHOLD_TYPES,
  PopulationSchema,
  REACTION_SEVERITIES,
  RHD,
  SCHEMA_VERSION,
  SEXES,
  SITE_KINDS,
  SiteSchema,
  StationSchema,
  TeamSchema,
  VoidSchema,
  WHOLE_BLOOD_VOLUMES,
  type AdverseReaction,
  type Channel,
  type Correction,
  type Deferral,
  type Donation,
  type DonorIdentity,
  type Drive,
  type DriveClose,
  type FieldRecord,
  type Population,
  type Site,
  type Station,
  type Team,
  type Void,
} from './records'

export const INTERCHANGE_FORMAT = 'bloodbus-interchange'
/** Version of the file layout (line types, CSV columns); records inside follow SCHEMA_VERSION. */
export const INTERCHANGE_VERSION = 1

export interface InterchangeError {
  /** 1-based line of the file (for CSV, the line where the row starts; the header is line 1). */
  line: number
  message: string
}

function issuesText(issues: readonly v.BaseIssue<unknown>[]): string {
  return issues
    .slice(0, 3)
    .map((issue) => {
      const path = v.getDotPath(issue)
      return path ? `${path}: ${issue.message}` : issue.message
    })
    .join('; ')
}

// =================================================================================================
// JSON Lines

export const HeaderLineSchema = v.object({
  type: v.literal('header'),
  format: v.literal(INTERCHANGE_FORMAT),
  version: v.pipe(v.number(), v.integer(), v.minValue(1)),
  schemaVersion: v.pipe(v.number(), v.integer(), v.minValue(1)),
  /** Free description of where the file came from (e.g. "generate luoyang-2023 seed 2023"). */
  source: v.optional(v.pipe(v.string(), v.maxLength(200))),
})
export type InterchangeHeader = v.InferOutput<typeof HeaderLineSchema>

/** Reference line types and the schema of what follows `type` on such a line. */
const REFERENCE_LINE_SCHEMAS = {
  station: StationSchema,
  site: SiteSchema,
  channel: ChannelSchema,
  team: TeamSchema,
  population: PopulationSchema,
} as const
export type ReferenceLineType = keyof typeof REFERENCE_LINE_SCHEMAS
export const REFERENCE_LINE_TYPES = Object.keys(REFERENCE_LINE_SCHEMAS) as ReferenceLineType[]
const FIELD_RECORD_TYPES = new Set<string>(FieldRecordSchema.options.map((o) => o.entries.type.literal))

export interface JsonLinesOptions {
  reference?: ReferenceData
  source?: string
}

/**
 * One JSON object per line, "\n" line ends, UTF-8: a header line, then reference lines (station,
 * site, channel, team, population), then the field records in the order given.
 */
export function toJsonLines(records: Iterable<FieldRecord>, options: JsonLinesOptions = {}): string {
  const header: InterchangeHeader = {
    type: 'header',
    format: INTERCHANGE_FORMAT,
    version: INTERCHANGE_VERSION,
    schemaVersion: SCHEMA_VERSION,
  }
  if (options.source !== undefined) header.source = options.source
  const lines: string[] = [JSON.stringify(header)]
  const ref = options.reference
  if (ref) {
    for (const s of ref.stations) lines.push(JSON.stringify({ type: 'station', ...s }))
    for (const s of ref.sites) lines.push(JSON.stringify({ type: 'site', ...s }))
    for (const c of ref.channels) lines.push(JSON.stringify({ type: 'channel', ...c }))
    for (const t of ref.teams) lines.push(JSON.stringify({ type: 'team', ...t }))
    for (const p of ref.populations) lines.push(JSON.stringify({ type: 'population', ...p }))
  }
  for (const r of records) lines.push(JSON.stringify(r))
  return lines.join('\n') + '\n'
}

export interface ParsedJsonLines {
  header: InterchangeHeader | null
  reference: ReferenceData
  records: FieldRecord[]
  errors: InterchangeError[]
}

/** Reads JSON Lines; each bad line becomes an error with its line number and the others are kept. */
export function parseJsonLines(text: string): ParsedJsonLines {
  const out: ParsedJsonLines = {
    header: null,
    reference: { stations: [], sites: [], channels: [], teams: [], populations: [] },
    records: [],
    errors: [],
  }
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text
  let start = 0
  let line = 0
  let seenLine = false
  while (start < body.length) {
    let end = body.indexOf('\n', start)
    if (end < 0) end = body.length
    line++
    const raw = body.slice(start, end > start && body.charCodeAt(end - 1) === 13 ? end - 1 : end)
    start = end + 1
    if (raw.trim() === '') continue
    const first = !seenLine
    seenLine = true
    const error = (message: string) => out.errors.push({ line, message })
    let value: unknown
    try {
      value = JSON.parse(raw)
    } catch {
      error('not valid JSON')
      continue
    }
    if (
      typeof value !== 'object' ||
      value === null ||
      Array.isArray(value) ||
      typeof (value as { type?: unknown }).type !== 'string'
    ) {
      error('each line must be a JSON object with a "type"')
      continue
    }
    const type = (value as { type: string }).type
    if (type === 'header') {
      const parsed = v.safeParse(HeaderLineSchema, value)
      if (!parsed.success) error(`header: ${issuesText(parsed.issues)}`)
      else if (!first) error('the header must be the first line')
      else if (parsed.output.version > INTERCHANGE_VERSION)
        error(`file format version ${parsed.output.version} is newer than this reader (${INTERCHANGE_VERSION})`)
      else if (parsed.output.schemaVersion > SCHEMA_VERSION)
        error(`record schema version ${parsed.output.schemaVersion} is newer than this reader (${SCHEMA_VERSION})`)
      else out.header = parsed.output
    } else if (type in REFERENCE_LINE_SCHEMAS) {
      const refType = type as ReferenceLineType
      const parsed = v.safeParse(REFERENCE_LINE_SCHEMAS[refType], value)
      if (!parsed.success) error(`${type}: ${issuesText(parsed.issues)}`)
      else pushReference(out.reference, refType, parsed.output)
    } else if (FIELD_RECORD_TYPES.has(type)) {
      const parsed = v.safeParse(FieldRecordSchema, value)
      if (!parsed.success) error(`${type}: ${issuesText(parsed.issues)}`)
      else out.records.push(parsed.output)
    } else {
      error(`unknown line type ${JSON.stringify(type)}`)
    }
  }
  return out
}

function pushReference(ref: ReferenceData, type: ReferenceLineType, value: unknown): void {
  switch (type) {
    case 'station':
      ref.stations.push(value as Station)
      break
    case 'site':
      ref.sites.push(value as Site)
      break
    case 'channel':
      ref.channels.push(value as Channel)
      break
    case 'team':
      ref.teams.push(value as Team)
      break
    case 'population':
      ref.populations.push(value as Population)
      break
  }
}

// =================================================================================================
// CSV columns

/** What a column holds, for conversion and for the documentation. */
export type CsvFormat =
  'uuid' | 'uuid list' | 'code list' | 'date' | 'datetime' | 'text' | 'code' | 'enum' | 'integer' | 'number' | 'boolean'

/** What an empty cell reads as: an empty string, null, or the field left out (the schema's default applies). */
export type CsvEmpty = 'empty string' | 'null' | 'absent'

export interface CsvColumn {
  /** Header name: the JSON field, dotted for nested ones (product.volumeMl). */
  name: string
  format: CsvFormat
  empty: CsvEmpty
  unit?: string
  allowed?: string
  /** Text that may be empty (a note); documentation only, the schema decides. */
  emptyText?: true
  /** Record schema version that added the column: a file written before it may lack the column. */
  since?: number
  example: string
  description: string
}

type ColumnSpec = Omit<CsvColumn, 'name' | 'empty'> & { empty?: CsvEmpty }
const c = (name: string, spec: ColumnSpec): CsvColumn => ({ name, empty: 'empty string', ...spec })
const list = (values: readonly (string | number)[]) => values.join(', ')

const AUTHORSHIP: CsvColumn[] = [
  c('id', {
    format: 'uuid',
    example: '0188e1c2-5a3b-7c4d-8e5f-1a2b3c4d5e6f',
    description: 'Record id (UUIDv7, lower case), made where the record was written.',
  }),
  c('stationId', {
    format: 'uuid',
    example: '0188e1c2-0000-7000-8000-000000000001',
    description: 'Station the record belongs to.',
  }),
  c('deviceId', {
    format: 'uuid',
    example: '0188e1c2-0000-7000-8000-000000000002',
    description: 'Phone (or server) that wrote it.',
  }),
  c('authorStaffId', {
    format: 'uuid',
    example: '0188e1c2-0000-7000-8000-000000000003',
    description: 'Staff member who wrote it (unlocked with their PIN).',
  }),
  c('createdAt', {
    format: 'datetime',
    example: '2023-06-14T09:32:05.000+08:00',
    description: "When it was written, by that device's clock; informational only.",
  }),
]

const COLLECTION: CsvColumn[] = [
  c('driveId', {
    format: 'uuid',
    empty: 'null',
    example: '0188e1c2-0000-7000-8000-00000000000a',
    description: 'Drive it was collected on; empty for fixed-site collection outside any drive.',
  }),
  c('channelId', {
    format: 'uuid',
    example: '0188e1c2-0000-7000-8000-00000000000b',
    description: 'Collection channel (see the channel table); decides the rural-mobile share.',
  }),
  c('siteId', {
    format: 'uuid',
    empty: 'null',
    example: '0188e1c2-0000-7000-8000-00000000000c',
    description: 'Site of collection; may be empty.',
  }),
  c('teamIds', {
    format: 'uuid list',
    allowed: 'up to 8 ids separated by ";"',
    example: '0188e1c2-0000-7000-8000-00000000000d',
    description: 'Donor teams the record counts for; empty for none.',
  }),
  c('collectedOn', {
    format: 'date',
    example: '2023-06-14',
    description: 'Station-local calendar date; indicators group by it.',
  }),
]

const DONOR_FACTS: CsvColumn[] = [
  c('donorKey', {
    format: 'text',
    allowed: '32 lower-case hex characters',
    example: '4aeb842d1104e7cebe0deac55d334d78',
    description: 'Pseudonymous donor key; never the ID number.',
  }),
  c('sex', { format: 'enum', allowed: list(SEXES), example: 'F', description: 'Donor sex.' }),
  c('ageYears', { format: 'integer', unit: 'years', allowed: '16–80', example: '34', description: 'Age on the day.' }),
  c('household', {
    format: 'enum',
    allowed: list(HOUSEHOLD_TYPES),
    example: 'rural',
    description: 'Household registration (hukou); rural counts toward the rural-donor share.',
  }),
  c('repeatDonor', {
    format: 'boolean',
    allowed: 'true, false',
    example: 'true',
    description: 'The donor had donated before this record (repeat-donor share).',
  }),
]

const VITALS: CsvColumn[] = [
  c('vitals.weightKg', {
    format: 'number',
    empty: 'absent',
    unit: 'kg',
    allowed: '20–250',
    example: '62.5',
    description: 'Weight. All vitals.* cells empty: no vitals recorded.',
  }),
  c('vitals.hbGL', {
    format: 'number',
    empty: 'absent',
    unit: 'g/L',
    allowed: '30–250',
    example: '135',
    description: 'Haemoglobin.',
  }),
  c('vitals.systolic', {
    format: 'integer',
    empty: 'absent',
    unit: 'mmHg',
    allowed: '40–260',
    example: '118',
    description: 'Systolic blood pressure.',
  }),
  c('vitals.diastolic', {
    format: 'integer',
    empty: 'absent',
    unit: 'mmHg',
    allowed: '20–180',
    example: '76',
    description: 'Diastolic blood pressure.',
  }),
  c('vitals.pulse', {
    format: 'integer',
    empty: 'absent',
    unit: 'beats/min',
    allowed: '20–220',
    example: '74',
    description: 'Pulse.',
  }),
  c('vitals.temperatureC', {
    format: 'number',
    empty: 'absent',
    unit: '°C',
    allowed: '30–45',
    example: '36.5',
    description: 'Body temperature.',
  }),
  c('vitals.hct', {
    format: 'number',
    empty: 'absent',
    unit: 'fraction',
    allowed: '0.1–0.7',
    example: '0.42',
    description: 'Haematocrit (apheresis); may be empty.',
  }),
  c('vitals.plateletCount', {
    format: 'number',
    empty: 'absent',
    unit: '×10⁹/L',
    allowed: '10–1500',
    example: '240',
    description: 'Platelet count (apheresis); may be empty.',
  }),
  c('vitals.athlete', {
    format: 'boolean',
    empty: 'absent',
    allowed: 'true, false',
    example: 'false',
    description: 'Trained athlete (pulse limit 50 instead of 60); empty reads false.',
  }),
]

const DONATION_OWN: CsvColumn[] = [
  c('collectedAt', {
    format: 'datetime',
    example: '2023-06-14T09:30:00.000+08:00',
    description: 'When the blood was taken.',
  }),
  c('product.type', {
    format: 'enum',
    allowed: 'whole_blood, apheresis_platelets',
    example: 'whole_blood',
    description: 'Product collected.',
  }),
  c('product.volumeMl', {
    format: 'integer',
    empty: 'absent',
    unit: 'ml',
    allowed: list(WHOLE_BLOOD_VOLUMES),
    example: '400',
    description: 'Whole blood volume (200 ml = 1 u); empty for apheresis.',
  }),
  c('product.doses', {
    format: 'integer',
    empty: 'absent',
    unit: 'therapeutic doses',
    allowed: '1, 2',
    example: '2',
    description: 'Apheresis platelet doses (治疗量, ≥ 2.5×10¹¹ each); empty for whole blood.',
  }),
  c('abo', { format: 'enum', allowed: list(ABO_GROUPS), example: 'O', description: 'ABO group.' }),
  c('rhd', { format: 'enum', allowed: list(RHD), example: 'pos', description: 'RhD.' }),
  c('din', {
    format: 'text',
    allowed: '13-character DIN + check character (ISBT 128: 14)',
    example: 'L037923000141A',
    description: 'Bag number as printed, with its check character.',
  }),
  c('override.rules', {
    format: 'code list',
    empty: 'absent',
    allowed: 'eligibility rule codes separated by ";"',
    example: 'interval',
    description: 'Schema 2: checks the drive leader overrode; empty when the donation needed no override.',
    since: 2,
  }),
  c('override.reasonCode', {
    format: 'code',
    empty: 'absent',
    allowed: "a code of the station's override reasons",
    example: 'urgent_clinical_need',
    description: 'Schema 2: why the leader overrode them (src/domain/overrides.ts).',
    since: 2,
  }),
  c('override.approvedBy', {
    format: 'uuid',
    empty: 'absent',
    example: '0188e1c2-0000-7000-8000-000000000003',
    description: 'Schema 2: the drive leader who approved with their PIN.',
    since: 2,
  }),
  c('override.approvedAt', {
    format: 'datetime',
    empty: 'absent',
    example: '2023-06-14T09:28:00.000+08:00',
    description: 'Schema 2: when the leader approved.',
    since: 2,
  }),
]

const DEFERRAL_OWN: CsvColumn[] = [
  c('reasonCode', {
    format: 'code',
    allowed: 'a code of the deferral catalogue',
    example: 'low_hb',
    description:
      'Why the donor was deferred (src/domain/deferral-reasons.ts); the first reason when there are several.',
  }),
  c('reasonCodes', {
    format: 'code list',
    empty: 'absent',
    allowed: 'codes of the deferral catalogue separated by ";", reasonCode first',
    example: 'age;blood_pressure',
    description: 'Schema 2: every reason; empty on older records, which read as reasonCode alone.',
    since: 2,
  }),
  c('until', {
    format: 'date',
    empty: 'null',
    example: '2023-07-13',
    description: 'Last deferred day; empty for a permanent deferral.',
  }),
  c('note', {
    format: 'text',
    emptyText: true,
    allowed: 'up to 500 characters',
    example: '',
    description: 'Free note; may be empty.',
  }),
]

const DONATION_COLUMNS = [...AUTHORSHIP, ...COLLECTION, ...DONOR_FACTS, ...DONATION_OWN, ...VITALS]
const DEFERRAL_COLUMNS = [...AUTHORSHIP, ...COLLECTION, ...DONOR_FACTS, ...DEFERRAL_OWN, ...VITALS]

// A correction carries a whole replacement donation or deferral: its columns, prefixed.
const REPLACEMENT_COLUMNS: CsvColumn[] = [
  c('replacement.type', {
    format: 'enum',
    allowed: 'donation, deferral',
    example: 'donation',
    description: 'Kind of the replacement record.',
  }),
  ...[...AUTHORSHIP, ...COLLECTION, ...DONOR_FACTS, ...DONATION_OWN, ...DEFERRAL_OWN, ...VITALS].map((col) => ({
    ...col,
    name: `replacement.${col.name}`,
    // Columns of the other kind stay empty; an empty cell then leaves the field out.
    empty:
      (DONATION_OWN.includes(col) || DEFERRAL_OWN.includes(col)) && col.empty === 'empty string'
        ? ('absent' as const)
        : col.empty,
    description: `Replacement: ${col.description[0]!.toLowerCase()}${col.description.slice(1)}`,
  })),
]

export const CSV_COLUMNS = {
  donation: DONATION_COLUMNS,
  deferral: DEFERRAL_COLUMNS,
  drive: [
    ...AUTHORSHIP,
    c('busCode', {
      format: 'text',
      allowed: '1–20 characters',
      example: '豫C·X3101',
      description: 'Bus (plate or fleet code).',
    }),
    c('siteId', { format: 'uuid', example: '0188e1c2-0000-7000-8000-00000000000c', description: 'Site visited.' }),
    c('channelId', {
      format: 'uuid',
      example: '0188e1c2-0000-7000-8000-00000000000b',
      description: 'Channel of the drive; a rural-mobile channel makes it a rural trip.',
    }),
    c('teamIds', {
      format: 'uuid list',
      allowed: 'up to 8 ids separated by ";"',
      example: '',
      description: 'Teams the drive serves; empty for none.',
    }),
    c('date', { format: 'date', example: '2023-06-14', description: 'Day of the drive.' }),
    c('staffIds', {
      format: 'uuid list',
      allowed: '1–12 ids separated by ";"',
      example: '0188e1c2-0000-7000-8000-000000000003;0188e1c2-0000-7000-8000-000000000004',
      description: 'Staff on board.',
    }),
    c('leaderStaffId', {
      format: 'uuid',
      example: '0188e1c2-0000-7000-8000-000000000003',
      description: 'Bus leader who opens and closes the drive.',
    }),
    c('dinFirst', {
      format: 'text',
      example: 'L037923000001',
      description: 'First bag number loaded (without check character).',
    }),
    c('dinLast', {
      format: 'text',
      example: 'L037923000040',
      description: 'Last bag number loaded (without check character).',
    }),
    c('bagsLoaded', {
      format: 'integer',
      unit: 'bags',
      allowed: '0–2000',
      example: '40',
      description: 'Bags loaded on the bus.',
    }),
  ],
  drive_close: [
    ...AUTHORSHIP,
    c('driveId', { format: 'uuid', example: '0188e1c2-0000-7000-8000-00000000000a', description: 'Drive closed.' }),
    c('bagsLoaded', { format: 'integer', unit: 'bags', example: '40', description: 'Bags loaded.' }),
    c('bagsUsed', { format: 'integer', unit: 'bags', example: '33', description: 'Bags used for donations.' }),
    c('bagsSpoiled', { format: 'integer', unit: 'bags', example: '1', description: 'Bags spoiled.' }),
    c('bagsReturned', { format: 'integer', unit: 'bags', example: '6', description: 'Bags returned unused.' }),
    c('discrepancyNote', {
      format: 'text',
      emptyText: true,
      allowed: 'up to 500 characters',
      example: '',
      description: 'Why the bags do not add up; may be empty.',
    }),
    c('signedOffBy', {
      format: 'uuid',
      example: '0188e1c2-0000-7000-8000-000000000003',
      description: 'Leader who signed off.',
    }),
    c('closedAt', {
      format: 'datetime',
      example: '2023-06-14T17:20:00.000+08:00',
      description: 'When the drive was closed.',
    }),
  ],
  adverse_reaction: [
    ...AUTHORSHIP,
    c('donationId', {
      format: 'uuid',
      example: '0188e1c2-5a3b-7c4d-8e5f-1a2b3c4d5e6f',
      description: 'Donation the reaction belongs to.',
    }),
    c('code', { format: 'code', example: 'vasovagal', description: 'Kind of reaction.' }),
    c('severity', { format: 'enum', allowed: list(REACTION_SEVERITIES), example: 'mild', description: 'Severity.' }),
    c('occurredAt', { format: 'datetime', example: '2023-06-14T09:45:00.000+08:00', description: 'When it happened.' }),
    c('note', {
      format: 'text',
      emptyText: true,
      allowed: 'up to 500 characters',
      example: '',
      description: 'Free note; may be empty.',
    }),
  ],
  void: [
    ...AUTHORSHIP,
    c('targetId', {
      format: 'uuid',
      example: '0188e1c2-5a3b-7c4d-8e5f-1a2b3c4d5e6f',
      description: 'Record voided (a correction id voids the record it corrected).',
    }),
    c('reason', {
      format: 'text',
      allowed: '2–500 characters',
      example: '标签贴错 (wrong bag labelled)',
      description: 'Why.',
    }),
  ],
  correction: [
    ...AUTHORSHIP,
    c('targetId', {
      format: 'uuid',
      example: '0188e1c2-5a3b-7c4d-8e5f-1a2b3c4d5e6f',
      description: 'Record corrected; the newest correction wins.',
    }),
    c('reason', {
      format: 'text',
      allowed: '2–500 characters',
      example: 'ABO confirmed by the laboratory',
      description: 'Why.',
    }),
    ...REPLACEMENT_COLUMNS,
  ],
  donor_identity: [
    ...AUTHORSHIP,
    c('donorKey', {
      format: 'text',
      allowed: '32 lower-case hex characters',
      example: '4aeb842d1104e7cebe0deac55d334d78',
      description: 'Pseudonymous key the donation records carry.',
    }),
    c('idNumber', {
      format: 'text',
      allowed: '18 characters (or old 15 digits)',
      example: '11010519491231002X',
      description: 'Resident ID number (personal data: PIPL).',
    }),
    c('name', {
      format: 'text',
      allowed: 'Chinese or Latin letters, · between parts, single spaces between Latin words; 1–60 characters',
      example: '阿依古丽·买买提',
      description: 'Donor name (personal data); no digits, emoji, symbols or control characters.',
    }),
    c('phone', {
      format: 'text',
      emptyText: true,
      allowed: 'digits, +, -, space; up to 20',
      example: '13800000000',
      description: 'Phone; may be empty.',
    }),
    c('household', {
      format: 'enum',
      allowed: list(HOUSEHOLD_TYPES),
      example: 'rural',
      description: 'Household registration.',
    }),
  ],
  station: [
    c('id', { format: 'uuid', example: '0188e1c2-0000-7000-8000-000000000001', description: 'Station id.' }),
    c('code', { format: 'code', example: 'luoyang', description: 'Short code.' }),
    c('name', { format: 'text', example: '洛阳市中心血站', description: 'Name.' }),
    c('timeZone', {
      format: 'text',
      empty: 'absent',
      allowed: 'IANA zone; empty reads Asia/Shanghai',
      example: 'Asia/Shanghai',
      description: "Zone the station's dates are counted in.",
    }),
  ],
  site: [
    c('id', { format: 'uuid', example: '0188e1c2-0000-7000-8000-00000000000c', description: 'Site id.' }),
    c('stationId', { format: 'uuid', example: '0188e1c2-0000-7000-8000-000000000001', description: 'Station.' }),
    c('name', { format: 'text', allowed: '1–120 characters', example: '宜阳县乡镇采血点03', description: 'Name.' }),
    c('kind', { format: 'enum', allowed: list(SITE_KINDS), example: 'township', description: 'Kind of place.' }),
    c('area', {
      format: 'text',
      empty: 'absent',
      allowed: 'up to 80 characters',
      example: '宜阳县',
      description: 'County or district; may be empty.',
    }),
  ],
  channel: [
    c('id', { format: 'uuid', example: '0188e1c2-0000-7000-8000-00000000000b', description: 'Channel id.' }),
    c('stationId', { format: 'uuid', example: '0188e1c2-0000-7000-8000-000000000001', description: 'Station.' }),
    c('code', { format: 'code', example: 'rural_mobile', description: 'Short code.' }),
    c('nameZh', { format: 'text', example: '乡村流动', description: 'Chinese name.' }),
    c('nameEn', { format: 'text', example: 'Rural mobile', description: 'English name.' }),
    c('ruralMobile', {
      format: 'boolean',
      allowed: 'true, false',
      example: 'true',
      description: 'Whole blood on this channel counts toward the rural-mobile share; its drives are rural trips.',
    }),
  ],
  team: [
    c('id', { format: 'uuid', example: '0188e1c2-0000-7000-8000-00000000000d', description: 'Team id.' }),
    c('stationId', { format: 'uuid', example: '0188e1c2-0000-7000-8000-000000000001', description: 'Station.' }),
    c('code', { format: 'code', example: 'rare_blood_type', description: 'Short code.' }),
    c('nameZh', { format: 'text', example: '稀有血型献血队伍', description: 'Chinese name.' }),
    c('nameEn', { format: 'text', example: 'Rare blood type (RhD negative) donors', description: 'English name.' }),
  ],
  population: [
    c('stationId', { format: 'uuid', example: '0188e1c2-0000-7000-8000-000000000001', description: 'Station.' }),
    c('year', { format: 'integer', allowed: '2000–2100', example: '2023', description: 'Calendar year.' }),
    c('population', {
      format: 'integer',
      unit: 'people',
      example: '7077000',
      description: 'Population served, for donations per 1,000.',
    }),
  ],
} as const satisfies Record<string, readonly CsvColumn[]>

export interface CsvRecordTypes {
  donation: Donation
  deferral: Deferral
  drive: Drive
  drive_close: DriveClose
  adverse_reaction: AdverseReaction
  void: Void
  correction: Correction
  donor_identity: DonorIdentity
  station: Station
  site: Site
  channel: Channel
  team: Team
  population: Population
}
export type CsvType = keyof CsvRecordTypes & keyof typeof CSV_COLUMNS
export const CSV_TYPES = Object.keys(CSV_COLUMNS) as CsvType[]
/** CSV types that are field records (the rest are reference data). */
export const CSV_FIELD_TYPES: readonly CsvType[] = [
  'donation',
  'deferral',
  'drive',
  'drive_close',
  'adverse_reaction',
  'void',
  'correction',
  'donor_identity',
]

const CSV_SCHEMAS: { [T in CsvType]: v.GenericSchema<unknown, CsvRecordTypes[T]> } = {
  donation: DonationSchema,
  deferral: DeferralSchema,
  drive: DriveSchema,
  drive_close: DriveCloseSchema,
  adverse_reaction: AdverseReactionSchema,
  void: VoidSchema,
  correction: CorrectionSchema,
  donor_identity: DonorIdentitySchema,
  station: StationSchema,
  site: SiteSchema,
  channel: ChannelSchema,
  team: TeamSchema,
  population: PopulationSchema,
}

export function isCsvType(text: string): text is CsvType {
  return Object.hasOwn(CSV_COLUMNS, text)
}

// =================================================================================================
// CSV text (RFC 4180)

const NEEDS_QUOTES = /[",\r\n]/

function quote(cell: string): string {
  return NEEDS_QUOTES.test(cell) ? `"${cell.replaceAll('"', '""')}"` : cell
}

export interface CsvRows {
  rows: { line: number; cells: string[] }[]
  errors: InterchangeError[]
}

/**
 * Splits RFC 4180 text into rows of cells: "," between cells, CRLF (or LF, or CR) between rows,
 * cells with a comma, quote or line break in double quotes with quotes doubled. A leading BOM is
 * skipped; blank lines are skipped. Each row knows the line it starts on.
 */
export function parseCsvRows(text: string): CsvRows {
  const rows: CsvRows['rows'] = []
  const errors: InterchangeError[] = []
  const n = text.length
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0
  let line = 1
  while (i < n) {
    const rowLine = line
    const cells: string[] = []
    let rowError: string | null = null
    for (;;) {
      // One cell.
      let cell: string
      if (text.charCodeAt(i) === 34 /* " */) {
        let j = i + 1
        let value = ''
        for (;;) {
          const q = text.indexOf('"', j)
          if (q < 0) {
            value += text.slice(j)
            rowError ??= 'a quoted cell is not closed'
            j = n
            break
          }
          value += text.slice(j, q)
          if (text.charCodeAt(q + 1) === 34) {
            value += '"'
            j = q + 2
          } else {
            j = q + 1
            break
          }
        }
        for (let k = i; k < j; k++)
          if (text.charCodeAt(k) === 10 || (text.charCodeAt(k) === 13 && text.charCodeAt(k + 1) !== 10)) line++
        cell = value
        i = j
        const next = text.charCodeAt(i)
        if (i < n && next !== 44 && next !== 10 && next !== 13) {
          rowError ??= 'text after a closing quote'
          while (i < n && text.charCodeAt(i) !== 44 && text.charCodeAt(i) !== 10 && text.charCodeAt(i) !== 13) i++
        }
      } else {
        let j = i
        while (j < n) {
          const ch = text.charCodeAt(j)
          if (ch === 44 || ch === 10 || ch === 13) break
          if (ch === 34) rowError ??= 'a quote inside an unquoted cell (quote the cell and double the quote)'
          j++
        }
        cell = text.slice(i, j)
        i = j
      }
      cells.push(cell)
      if (i >= n) break
      const ch = text.charCodeAt(i)
      if (ch === 44) {
        i++
        continue
      }
      // End of row: CRLF, LF or CR.
      i += ch === 13 && text.charCodeAt(i + 1) === 10 ? 2 : 1
      line++
      break
    }
    if (rowError) errors.push({ line: rowLine, message: rowError })
    else if (!(cells.length === 1 && cells[0] === '')) rows.push({ line: rowLine, cells })
  }
  return { rows, errors }
}

function getPath(obj: unknown, path: readonly string[]): unknown {
  let cur = obj
  for (const key of path) {
    if (cur === null || typeof cur !== 'object') return undefined
    cur = (cur as Record<string, unknown>)[key]
  }
  return cur
}

function setPath(obj: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let cur = obj
  for (let k = 0; k < path.length - 1; k++) {
    const key = path[k]!
    let next = cur[key]
    if (next === null || typeof next !== 'object') {
      next = {}
      cur[key] = next
    }
    cur = next as Record<string, unknown>
  }
  cur[path[path.length - 1]!] = value
}

function cellText(value: unknown): string {
  if (value === null || value === undefined) return ''
  if (Array.isArray(value)) return value.join(';')
  if (typeof value === 'boolean') return value ? 'true' : 'false'
  return String(value)
}

/** A header row and one row per record, CRLF line ends, UTF-8 without BOM (add one for Excel if needed). */
export function toCsv<T extends CsvType>(type: T, records: Iterable<CsvRecordTypes[T]>): string {
  const columns = CSV_COLUMNS[type] as readonly CsvColumn[]
  const paths = columns.map((col) => col.name.split('.'))
  const lines = [columns.map((col) => quote(col.name)).join(',')]
  const isField = CSV_FIELD_TYPES.includes(type)
  for (const rec of records) {
    if (isField && (rec as { type?: string }).type !== type) {
      throw new RangeError(`toCsv(${type}) got a ${String((rec as { type?: string }).type)} record`)
    }
    // An identity correction (schema version 2) has no columns here: it travels in JSON Lines.
    if (type === 'correction' && (rec as Correction).replacement.type === 'donor_identity') {
      throw new RangeError('toCsv(correction) got an identity correction; write it as JSON Lines')
    }
    lines.push(paths.map((p) => quote(cellText(getPath(rec, p)))).join(','))
  }
  return lines.join('\r\n') + '\r\n'
}

/** The CSV type whose columns the header row names (in any order), or null. */
export function detectCsvType(text: string): CsvType | null {
  const end = text.search(/\r|\n/)
  const { rows } = parseCsvRows(end < 0 ? text : text.slice(0, end))
  const header = rows[0]?.cells
  if (!header) return null
  const names = new Set(header)
  return (
    CSV_TYPES.find((t) => {
      const cols = CSV_COLUMNS[t] as readonly CsvColumn[]
      return (
        [...names].every((name) => cols.some((col) => col.name === name)) &&
        cols.every((col) => col.since !== undefined || names.has(col.name))
      )
    }) ?? null
  )
}

export interface ParsedCsv<T extends CsvType> {
  records: CsvRecordTypes[T][]
  errors: InterchangeError[]
}

/**
 * Reads a CSV table of one type. The header names the columns (any order). Each row is converted
 * by its column formats and validated with the shared schema; a bad row becomes an error with its
 * line number and the others are kept. A header without the type's columns is one error, no rows.
 */
export function parseCsv<T extends CsvType>(type: T, text: string): ParsedCsv<T> {
  const columns = CSV_COLUMNS[type] as readonly CsvColumn[]
  const { rows, errors } = parseCsvRows(text)
  const records: CsvRecordTypes[T][] = []
  const header = rows[0]
  if (!header) {
    errors.push({ line: 1, message: 'the file is empty: a header row is needed' })
    return { records, errors }
  }
  const index = new Map(header.cells.map((name, k) => [name, k]))
  const missing = columns.filter((col) => !index.has(col.name) && col.since === undefined).map((col) => col.name)
  const unknown = header.cells.filter((name) => !columns.some((col) => col.name === name))
  if (missing.length > 0 || unknown.length > 0) {
    const parts = []
    if (missing.length > 0) parts.push(`missing column(s) ${missing.join(', ')}`)
    if (unknown.length > 0) parts.push(`unknown column(s) ${unknown.join(', ')}`)
    errors.push({ line: header.line, message: `not a ${type} table: ${parts.join('; ')}` })
    return { records, errors }
  }
  const plan = columns
    .filter((col) => index.has(col.name))
    .map((col) => ({ col, path: col.name.split('.'), k: index.get(col.name)! }))
  const schema = CSV_SCHEMAS[type]
  const isField = CSV_FIELD_TYPES.includes(type)
  for (const row of rows.slice(1)) {
    if (row.cells.length !== header.cells.length) {
      errors.push({ line: row.line, message: `expected ${header.cells.length} cells, found ${row.cells.length}` })
      continue
    }
    const obj: Record<string, unknown> = isField ? { type } : {}
    const problems: string[] = []
    for (const { col, path, k } of plan) {
      const read = readCell(col, row.cells[k]!)
      if (read.error) problems.push(`${col.name}: ${read.error}`)
      else if (read.present) setPath(obj, path, read.value)
    }
    if (problems.length > 0) {
      errors.push({ line: row.line, message: problems.slice(0, 3).join('; ') })
      continue
    }
    const parsed = v.safeParse(schema, obj)
    if (parsed.success) records.push(parsed.output as CsvRecordTypes[T])
    else errors.push({ line: row.line, message: issuesText(parsed.issues) })
  }
  return { records, errors }
}

type CellRead = { present: boolean; value?: unknown; error?: string }

function readCell(col: CsvColumn, cell: string): CellRead {
  if (cell === '') {
    if (col.format === 'uuid list') return { present: true, value: [] }
    if (col.empty === 'null') return { present: true, value: null }
    if (col.empty === 'absent') return { present: false }
    if (col.format === 'integer' || col.format === 'number' || col.format === 'boolean')
      return { present: false, error: 'a value is required' }
    return { present: true, value: '' }
  }
  switch (col.format) {
    case 'integer':
    case 'number': {
      const x = Number(cell)
      if (cell.trim() === '' || !Number.isFinite(x)) return { present: false, error: `"${cell}" is not a number` }
      return { present: true, value: x }
    }
    case 'boolean': {
      const t = cell.trim().toLowerCase()
      if (t === 'true') return { present: true, value: true }
      if (t === 'false') return { present: true, value: false }
      return { present: false, error: `"${cell}" is not true or false` }
    }
    case 'uuid list':
    case 'code list':
      return {
        present: true,
        value: cell
          .split(';')
          .map((s) => s.trim())
          .filter((s) => s !== ''),
      }
    default:
      return { present: true, value: cell }
  }
}

/** Markdown table documenting a CSV type's columns (docs/data-format.md embeds these). */
export function csvColumnsMarkdown(type: CsvType): string {
  const esc = (s: string) => s.replaceAll('|', '\\|')
  const lines = [
    '| Column | Type | Unit | Allowed values | Empty cell | Example | Meaning |',
    '| --- | --- | --- | --- | --- | --- | --- |',
  ]
  for (const col of CSV_COLUMNS[type] as readonly CsvColumn[]) {
    const empty =
      col.format === 'uuid list'
        ? 'no ids'
        : col.empty === 'empty string'
          ? col.emptyText
            ? 'empty text'
            : 'not allowed'
          : col.empty
    lines.push(
      `| \`${col.name}\` | ${col.format} | ${esc(col.unit ?? '')} | ${esc(col.allowed ?? '')} | ${empty} | ${col.example === '' ? '' : `\`${esc(col.example)}\``} | ${esc(col.description)} |`,
    )
  }
  return lines.join('\n')
}
