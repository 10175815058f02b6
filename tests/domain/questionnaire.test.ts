import * as v from 'valibot'
import { describe, expect, it } from 'vitest'
import { DEFERRAL_REASONS } from '../../src/domain/deferral-reasons'
import {
  allAnswered,
  DEFAULT_QUESTIONNAIRE,
  fromBase64Url,
  newPublicRef,
  PUBLIC_REF,
  questionnaireDeferrals,
  selfExcluded,
  toBase64Url,
  type Answers,
} from '../../src/domain/questionnaire'
import {
  decodeKioskAnswers,
  decodeSignature,
  encodeKioskAnswers,
  encodeSignature,
  KIOSK_MAX_CHARS,
  type Stroke,
} from '../../src/domain/questionnaire-codec'
import { QuestionnaireSchema } from '../../src/domain/records'
import { DeferralSchema, DonationSchema, DonorIdentitySchema, StationSchema } from '../../src/domain/records'

const Q = DEFAULT_QUESTIONNAIRE
const allNo = (): Answers => Object.fromEntries(Q.questions.map((q) => [q.code, false]))

/** A long scribbled signature: several strokes across the whole pad. */
function scribble(points = 400): Stroke[] {
  const strokes: Stroke[] = []
  for (let s = 0; s < 6; s++) {
    const stroke: [number, number][] = []
    for (let i = 0; i < points / 6; i++) stroke.push([20 + i * 5 + s * 7, 90 + 60 * Math.sin(i / 3 + s)])
    strokes.push(stroke)
  }
  return strokes
}

describe('default question set (GB 18467 appendix)', () => {
  it('is a valid station questionnaire whose deferring answers name reasons of the deferral catalogue', () => {
    expect(v.safeParse(QuestionnaireSchema, Q).success).toBe(true)
    const codes = new Set(DEFERRAL_REASONS.map((r) => r.code))
    for (const q of Q.questions) if (q.defersWith) expect(codes, q.code).toContain(q.defersWith)
    expect(Q.questions.filter((q) => q.kind === 'self_exclusion')).toHaveLength(1)
    expect(
      v.safeParse(StationSchema.entries.questionnaire, { ...Q, questions: [...Q.questions, Q.questions[0]] }).success,
    ).toBe(false)
  })

  it('maps a "yes" to its deferral reason, keeps the self-exclusion apart, and counts unanswered questions', () => {
    const answers = { ...allNo(), tattoo: true, alcohol: true, self_exclusion: true }
    expect(questionnaireDeferrals(Q, answers)).toEqual(['tattoo', 'alcohol'])
    expect(selfExcluded(Q, answers)).toBe(true)
    expect(selfExcluded(Q, allNo())).toBe(false)
    expect(questionnaireDeferrals(Q, allNo())).toEqual([])
    expect(allAnswered(Q, allNo())).toBe(true)
    const { tattoo: _skip, ...missing } = allNo()
    expect(allAnswered(Q, missing)).toBe(false)
  })
})

describe('consent signature', () => {
  it('quantises strokes to a 128×64 grid and reads them back within a grid step', () => {
    const strokes: Stroke[] = [
      [
        [0, 0],
        [100, 50],
        [300, 180],
      ],
      [
        [10, 170],
        [12, 172],
      ],
    ]
    const bytes = encodeSignature(strokes, 300, 180)!
    const back = decodeSignature(bytes)
    expect(back).toHaveLength(2)
    expect(back[0]![0]).toEqual([0, 0])
    expect(back[0]!.at(-1)).toEqual([127, 63])
    expect(back[1]![0]).toEqual([4, 60])
    expect(encodeSignature([], 300, 180)).toBeNull()
    expect(fromBase64Url(toBase64Url(bytes))).toEqual(bytes)
  })
})

describe('kiosk hand-over QR payload', () => {
  it('round-trips answers, contact consent and signature, and stays small enough to scan', async () => {
    const answers = { ...allNo(), cold_fever: true, self_exclusion: true }
    const signature = encodeSignature(scribble(), 340, 180)
    const text = await encodeKioskAnswers(Q, { version: Q.version, answers, contactConsent: 'wechat', signature })
    expect(text.startsWith('BBQ1.')).toBe(true)
    expect(text.length).toBeLessThanOrEqual(KIOSK_MAX_CHARS)
    const back = await decodeKioskAnswers(Q, text)
    expect(back.ok && back.value.answers).toEqual(answers)
    expect(back.ok && back.value.contactConsent).toBe('wechat')
    expect(back.ok && back.value.signature).toEqual(signature)
  })

  it('refuses another question set version, foreign codes and damaged payloads', async () => {
    const text = await encodeKioskAnswers(Q, {
      version: Q.version,
      answers: allNo(),
      contactConsent: 'none',
      signature: null,
    })
    expect(await decodeKioskAnswers({ ...Q, version: 'station.2' }, text)).toEqual({
      ok: false,
      error: 'other_version',
    })
    expect(await decodeKioskAnswers(Q, 'bloodbus:enroll?code=1')).toEqual({ ok: false, error: 'not_kiosk' })
    expect(await decodeKioskAnswers(Q, 'BBQ1.AAAA')).toMatchObject({ ok: false })
  })
})

describe('schema 3 record fields', () => {
  it('are optional: records without them still read, and with them they validate', () => {
    const base = {
      id: '0190a0a0-0000-7000-8000-000000000001',
      stationId: '0190a0a0-0000-7000-8000-000000000002',
      deviceId: '0190a0a0-0000-7000-8000-000000000003',
      authorStaffId: '0190a0a0-0000-7000-8000-000000000004',
      createdAt: '2026-06-14T09:30:00.000+08:00',
      driveId: null,
      channelId: '0190a0a0-0000-7000-8000-000000000005',
      siteId: null,
      teamIds: [],
      collectedOn: '2026-06-14',
      donorKey: 'a'.repeat(32),
      sex: 'M',
      ageYears: 30,
      household: 'rural',
      repeatDonor: false,
    }
    const donation = {
      ...base,
      type: 'donation',
      collectedAt: '2026-06-14T09:30:00.000+08:00',
      product: { type: 'whole_blood', volumeMl: 400 },
      abo: 'A',
      rhd: 'pos',
      din: 'W123426000001X',
    }
    expect(v.safeParse(DonationSchema, donation).success).toBe(true)
    const answered = {
      ...donation,
      questionnaire: { version: Q.version, yes: [], selfExcluded: true, via: 'kiosk', signed: true },
      contactConsent: 'sms',
      publicRef: newPublicRef(),
    }
    expect(v.safeParse(DonationSchema, answered).success).toBe(true)
    expect(v.safeParse(DonationSchema, { ...answered, contactConsent: 'email' }).success).toBe(false)
    expect(v.safeParse(DonationSchema, { ...answered, publicRef: 'abc' }).success).toBe(false)
    const deferral = { ...base, type: 'deferral', reasonCode: 'tattoo', until: '2027-06-13', note: '' }
    expect(v.safeParse(DeferralSchema, { ...deferral, questionnaire: answered.questionnaire }).success).toBe(true)
    const identity = {
      type: 'donor_identity',
      id: base.id,
      stationId: base.stationId,
      deviceId: base.deviceId,
      authorStaffId: base.authorStaffId,
      createdAt: base.createdAt,
      donorKey: base.donorKey,
      idNumber: '11010519491231002X',
      name: '张三',
      household: 'rural',
    }
    expect(v.safeParse(DonorIdentitySchema, identity).success).toBe(true)
    expect(v.safeParse(DonorIdentitySchema, { ...identity, consentSignature: 'AAEC_-' }).success).toBe(true)
    expect(v.safeParse(DonorIdentitySchema, { ...identity, consentSignature: '<svg>' }).success).toBe(false)
  })

  it('public references are 16 base32 characters and differ every time', () => {
    const refs = new Set(Array.from({ length: 50 }, () => newPublicRef()))
    expect(refs.size).toBe(50)
    for (const r of refs) expect(r).toMatch(PUBLIC_REF)
  })
})

describe('interchange files with schema 3 answers', () => {
  it('carry the answers and the public reference through JSON Lines and read them back', async () => {
    const { donation, deferral } = await import('./support/records')
    const { parseJsonLines, toJsonLines } = await import('../../src/domain/interchange')
    const answered = donation({
      questionnaire: { version: Q.version, yes: [], selfExcluded: true, via: 'kiosk', signed: true },
      contactConsent: 'wechat',
      publicRef: newPublicRef(),
    })
    const old = deferral()
    const parsed = parseJsonLines(toJsonLines([answered, old]))
    expect(parsed.errors).toEqual([])
    expect(parsed.records).toEqual([answered, old])
  })
})
