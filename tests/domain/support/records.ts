// Record builders and fast-check arbitraries shared by the indicator and interchange tests.
import fc from 'fast-check'
import type { Correction, Deferral, Donation, Drive, FieldRecord, Void } from '../../../src/domain/records'

let counter = 0
/** A valid lower-case UUID, unique within the test run. */
export function testId(n = ++counter): string {
  return `00000000-0000-7000-8000-${n.toString(16).padStart(12, '0')}`
}

export const STATION = testId(900001)
export const DEVICE = testId(900002)
export const STAFF = testId(900003)
export const RURAL = testId(900010)
export const UNIVERSITY = testId(900011)
export const STREET = testId(900012)
export const TEAM_RARE = testId(900020)
export const TEAM_COUNTY = testId(900021)
export const SITE = testId(900030)

const authorship = () => ({
  id: testId(),
  stationId: STATION,
  deviceId: DEVICE,
  authorStaffId: STAFF,
  createdAt: '2023-06-14T09:30:00.000+08:00',
})

export function donation(over: Partial<Donation> = {}): Donation {
  return {
    type: 'donation',
    ...authorship(),
    driveId: null,
    channelId: STREET,
    siteId: SITE,
    teamIds: [],
    collectedOn: '2023-06-14',
    donorKey: '0123456789abcdef0123456789abcdef',
    sex: 'M',
    ageYears: 30,
    household: 'urban',
    repeatDonor: false,
    collectedAt: '2023-06-14T09:30:00.000+08:00',
    product: { type: 'whole_blood', volumeMl: 400 },
    abo: 'O',
    rhd: 'pos',
    din: 'L037923000001A',
    ...over,
  }
}

export function deferral(over: Partial<Deferral> = {}): Deferral {
  return {
    type: 'deferral',
    ...authorship(),
    driveId: null,
    channelId: STREET,
    siteId: SITE,
    teamIds: [],
    collectedOn: '2023-06-14',
    donorKey: 'fedcba9876543210fedcba9876543210',
    sex: 'F',
    ageYears: 25,
    household: 'rural',
    repeatDonor: false,
    reasonCode: 'low_hb',
    until: '2023-07-14',
    note: '',
    ...over,
  }
}

export function drive(over: Partial<Drive> = {}): Drive {
  return {
    type: 'drive',
    ...authorship(),
    busCode: 'BUS-01',
    siteId: SITE,
    channelId: RURAL,
    teamIds: [],
    date: '2023-06-14',
    staffIds: [STAFF],
    leaderStaffId: STAFF,
    dinFirst: 'L037923000001',
    dinLast: 'L037923000050',
    bagsLoaded: 50,
    ...over,
  }
}

export function voidOf(target: { id: string }, over: Partial<Void> = {}): Void {
  return { type: 'void', ...authorship(), targetId: target.id, reason: 'entered twice', ...over }
}

export function correctionOf(
  target: { id: string },
  replacement: Donation | Deferral,
  over: Partial<Correction> = {},
): Correction {
  return { type: 'correction', ...authorship(), targetId: target.id, reason: 'wrong value', replacement, ...over }
}

// --- arbitraries -------------------------------------------------------------------------------

const hex = (len: number) => fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: len, maxLength: len })
export const arbId = fc
  .tuple(hex(8), hex(4), hex(3), fc.constantFrom('8', '9', 'a', 'b'), hex(3), hex(12))
  .map(([a, b, c, d, e, f]) => `${a}-${b}-7${c}-${d}${e}-${f}`)
const arbDate = fc
  .date({ min: new Date('2023-01-01T00:00:00Z'), max: new Date('2023-12-31T00:00:00Z'), noInvalidDate: true })
  .map((d) => d.toISOString().slice(0, 10))
const arbDateTime = fc
  .integer({ min: Date.UTC(2023, 0, 1), max: Date.UTC(2024, 0, 1) })
  .map((ms) => new Date(ms).toISOString().replace('Z', '+00:00'))
// Text with the characters CSV must quote, and Chinese; already trimmed (the schemas trim).
const arbText = (min: number) =>
  fc
    .string({
      unit: fc.constantFrom('a', 'Z', ' ', ',', '"', '\n', '\r\n', '献', '血', ';', '=', '\t'),
      minLength: min,
      maxLength: 12,
    })
    .map((s) => s.trim())
    .filter((s) => s.length >= min)
const arbDin = fc.string({ unit: fc.constantFrom(...'0123456789ABCDEFXYZ*'), minLength: 13, maxLength: 16 })
const arbVitals = fc.record(
  {
    weightKg: fc.double({ min: 40, max: 120, noNaN: true }),
    hbGL: fc.integer({ min: 90, max: 180 }),
    systolic: fc.integer({ min: 80, max: 160 }),
    diastolic: fc.integer({ min: 50, max: 100 }),
    pulse: fc.integer({ min: 50, max: 110 }),
    temperatureC: fc.constantFrom(36.2, 36.5, 37, 37.4),
    hct: fc.constantFrom(0.36, 0.41),
    plateletCount: fc.integer({ min: 150, max: 450 }),
    athlete: fc.boolean(),
  },
  { requiredKeys: ['weightKg', 'hbGL', 'systolic', 'diastolic', 'pulse', 'temperatureC', 'athlete'] },
)

/** Few channels/teams so that counts collide; ids drawn from small pools. */
const arbChannel = fc.constantFrom(RURAL, UNIVERSITY, STREET)
const arbTeams = fc.uniqueArray(fc.constantFrom(TEAM_RARE, TEAM_COUNTY), { maxLength: 2 })

const arbCollection = {
  id: arbId,
  stationId: fc.constant(STATION),
  deviceId: arbId,
  authorStaffId: arbId,
  createdAt: arbDateTime,
  driveId: fc.option(arbId, { nil: null }),
  channelId: arbChannel,
  siteId: fc.option(arbId, { nil: null }),
  teamIds: arbTeams,
  collectedOn: arbDate,
  donorKey: hex(32),
  sex: fc.constantFrom('M' as const, 'F' as const),
  ageYears: fc.integer({ min: 18, max: 60 }),
  household: fc.constantFrom('rural' as const, 'urban' as const),
  repeatDonor: fc.boolean(),
}

export const arbDonation: fc.Arbitrary<Donation> = fc.record(
  {
    type: fc.constant('donation' as const),
    ...arbCollection,
    collectedAt: arbDateTime,
    product: fc.oneof(
      fc.record({
        type: fc.constant('whole_blood' as const),
        volumeMl: fc.constantFrom(200 as const, 300 as const, 400 as const),
      }),
      fc.record({ type: fc.constant('apheresis_platelets' as const), doses: fc.constantFrom(1 as const, 2 as const) }),
    ),
    abo: fc.constantFrom('A' as const, 'B' as const, 'O' as const, 'AB' as const),
    rhd: fc.constantFrom('pos' as const, 'neg' as const),
    din: arbDin,
    vitals: arbVitals,
    // Schema 2: the leader's override.
    override: fc.record({
      rules: fc.constantFrom(['interval'], ['interval', 'hb']),
      reasonCode: fc.constantFrom('urgent_clinical_need', 'rare_blood_type'),
      approvedBy: arbId,
      approvedAt: arbDateTime,
    }),
  },
  {
    requiredKeys: [
      'type',
      ...(Object.keys(arbCollection) as (keyof typeof arbCollection)[]),
      'collectedAt',
      'product',
      'abo',
      'rhd',
      'din',
    ],
  },
)

export const arbDeferral: fc.Arbitrary<Deferral> = fc
  .record(
    {
      type: fc.constant('deferral' as const),
      ...arbCollection,
      reasonCode: fc.constantFrom('low_hb', 'cold_fever', 'tattoo'),
      // Schema 2: every reason (made to start with reasonCode below).
      reasonCodes: fc.uniqueArray(fc.constantFrom('low_hb', 'blood_pressure', 'age'), { maxLength: 2 }),
      until: fc.option(arbDate, { nil: null }),
      note: arbText(0),
      vitals: arbVitals,
    },
    {
      requiredKeys: [
        'type',
        ...(Object.keys(arbCollection) as (keyof typeof arbCollection)[]),
        'reasonCode',
        'until',
        'note',
      ],
    },
  )
  .map((d) =>
    d.reasonCodes ? { ...d, reasonCodes: [d.reasonCode, ...d.reasonCodes.filter((c) => c !== d.reasonCode)] } : d,
  )

export const arbDrive: fc.Arbitrary<Drive> = fc.record({
  type: fc.constant('drive' as const),
  id: arbId,
  stationId: fc.constant(STATION),
  deviceId: arbId,
  authorStaffId: arbId,
  createdAt: arbDateTime,
  busCode: arbText(1)
    .map((s) => s.slice(0, 20).trim())
    .filter((s) => s.length > 0),
  siteId: arbId,
  channelId: arbChannel,
  teamIds: arbTeams,
  date: arbDate,
  staffIds: fc.array(arbId, { minLength: 1, maxLength: 4 }),
  leaderStaffId: arbId,
  dinFirst: arbDin,
  dinLast: arbDin,
  bagsLoaded: fc.integer({ min: 0, max: 2000 }),
})

export const arbVoidFor = (targetId: string): fc.Arbitrary<Void> =>
  fc.record({
    type: fc.constant('void' as const),
    id: arbId,
    stationId: fc.constant(STATION),
    deviceId: arbId,
    authorStaffId: arbId,
    createdAt: arbDateTime,
    targetId: fc.constant(targetId),
    reason: arbText(2),
  })

export const arbCorrectionFor = (targetId: string): fc.Arbitrary<Correction> =>
  fc.record({
    type: fc.constant('correction' as const),
    id: arbId,
    stationId: fc.constant(STATION),
    deviceId: arbId,
    authorStaffId: arbId,
    createdAt: arbDateTime,
    targetId: fc.constant(targetId),
    reason: arbText(2),
    replacement: fc.oneof(arbDonation, arbDeferral),
  })

/**
 * A set of originals (unique ids) plus voids and corrections aimed at them, at each other, or at
 * ids nobody knows.
 */
export const arbRecordSet: fc.Arbitrary<FieldRecord[]> = fc
  .uniqueArray(fc.oneof(arbDonation, arbDonation, arbDeferral, arbDrive), { selector: (r) => r.id, maxLength: 25 })
  .chain((originals) => {
    const targets = [...originals.map((r) => r.id), '00000000-0000-7000-8000-00000000dead']
    const arbTarget = fc.constantFrom(...targets)
    return fc
      .tuple(fc.constant(originals), fc.array(arbTarget.chain(arbCorrectionFor), { maxLength: 6 }))
      .chain(([orig, corrections]) => {
        const all = [...targets, ...corrections.map((c) => c.id)]
        return fc.tuple(
          fc.constant([...orig, ...corrections]),
          fc.array(fc.constantFrom(...all).chain(arbVoidFor), { maxLength: 5 }),
        )
      })
      .map(([recs, voids]) => {
        // Keep ids unique across the whole set.
        const seen = new Set<string>()
        return [...recs, ...voids].filter((r) => (seen.has(r.id) ? false : (seen.add(r.id), true)))
      })
  })
