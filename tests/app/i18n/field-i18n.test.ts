// Every message the field screens ask for exists in both languages, including the keys built from
// codes (ID errors, DIN errors, eligibility rules, record errors…), so no screen shows a raw key.
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { DEFERRAL_CATEGORIES } from '../../../src/domain/deferral-reasons'
import { ELIGIBILITY_RULES } from '../../../src/domain/eligibility'
import { REACTION_SEVERITIES, RHD, SEXES, STAFF_ROLES } from '../../../src/domain/records'
import { RESIDENT_ID_ERRORS } from '../../../src/domain/resident-id'
import { FIELD_RECORD_ERRORS } from '../../../src/app/db/field-records'
import { REACTION_CODES } from '../../../src/app/field/reactions'
import { LOCALES, loadMessages } from '../../../src/app/i18n'

const FIELD_SOURCES = [
  'src/app/views',
  'src/app/components/layout',
  'src/app/components/common',
  'src/app/components/staff',
  'src/app/components/drive',
  'src/app/components/donor',
  'src/app/field',
  'src/app/i18n/errors.ts',
]

function files(path: string): string[] {
  if (!statSync(path).isDirectory()) return [path]
  return readdirSync(path)
    .flatMap((name) => files(join(path, name)))
    .filter((f) => /\.(ts|vue)$/.test(f) && !f.includes('/station/'))
}

const messages = await loadMessages()
function has(locale: (typeof LOCALES)[number], key: string): boolean {
  const v = key
    .split('.')
    .reduce<unknown>(
      (o, p) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[p] : undefined),
      messages[locale],
    )
  return typeof v === 'string' && v.trim() !== ''
}

describe('field screen messages', () => {
  it('has every literal key the field screens use', () => {
    const keys = new Set<string>()
    for (const file of FIELD_SOURCES.flatMap(files)) {
      for (const m of readFileSync(file, 'utf8').matchAll(/\bt\('([a-zA-Z]+(?:\.[a-zA-Z0-9_]+)+)'/g)) keys.add(m[1]!)
    }
    expect(keys.size).toBeGreaterThan(100)
    for (const l of LOCALES)
      expect(
        [...keys].filter((k) => !has(l, k)),
        `missing in ${l}`,
      ).toEqual([])
  })

  it('has a message for every code a screen turns into text', () => {
    const DIN_ERRORS = [
      'empty',
      'length',
      'characters',
      'format',
      'check_character',
      'check_missing',
      'out_of_range',
      'duplicate',
    ]
    const MEASURED = ELIGIBILITY_RULES.filter(
      (r) =>
        ![
          'permanently_deferred',
          'deferred',
          'same_day',
          'interval',
          'apheresis_yearly_cap',
          'hb_copper_sulphate',
          'hbsag',
        ].includes(r),
    )
    const keys = [
      ...RESIDENT_ID_ERRORS.map((e) => `donor.idErrors.${e}`),
      ...DIN_ERRORS.map((e) => `donor.dinErrors.${e}`),
      ...MEASURED.flatMap((r) => [`donor.rule.${r}`, `donor.unit.${r}`]),
      ...[
        'permanently_deferred',
        'deferred',
        'same_day',
        'interval',
        'apheresis_yearly_cap',
        'hb_copper_sulphate',
        'hbsag',
        'min',
        'max',
        'missing',
        'not_a_number',
      ].map((r) => `donor.fail.${r}`),
      ...DEFERRAL_CATEGORIES.map((c) => `donor.reasonCategory.${c}`),
      ...['reason_required', 'from_date', 'from_future', 'next_eligible_unknown'].map(
        (e) => `donor.deferralErrors.${e}`,
      ),
      ...SEXES.map((s) => `donor.sex.${s}`),
      ...RHD.map((r) => `donor.rhd.${r}`),
      ...['identity', 'vitals', 'outcome'].map((s) => `donor.step.${s}`),
      ...FIELD_RECORD_ERRORS.map((e) => `errors.record.${e}`),
      ...REACTION_CODES.map((c) => `record.reactionCodes.${c}`),
      ...REACTION_SEVERITIES.map((s) => `record.severity.${s}`),
      ...STAFF_ROLES.map((r) => `staff.role.${r}`),
      'staff.unlock_wrong_pin',
      'staff.unlock_unknown_staff',
      ...[
        'date',
        'required',
        'too_long',
        'staff_required',
        'too_many_staff',
        'leader_on_board',
        'too_many_teams',
        'din_first',
        'din_last',
        'din_series',
        'din_order',
        'din_too_many',
      ].map((e) => `drive.open.errors.${e}`),
      ...['required', 'count', 'note_required'].map((e) => `drive.close.errors.${e}`),
    ]
    for (const l of LOCALES)
      expect(
        keys.filter((k) => !has(l, k)),
        `missing in ${l}`,
      ).toEqual([])
  })
})
