// Correcting a donor's name, ID number, phone or household on the phone: the same checks as when
// the donor was registered (field/donor-form.ts checkIdentity, the donor form's field rules), and
// what it means for the visit's records (docs/data-format.md, "Identity corrections"): the
// donation or deferral carries the donor facts the figures use (key, sex, age, household), so a
// corrected ID number or household corrects them too; a name or phone changes no record but the
// identity.
import { checkPersonName } from '../../domain/person-name'
import { ageOn } from '../../domain/resident-id'
import type { Deferral, Donation, DonorIdentity, Household, Sex } from '../../domain/records'
import { checkIdentity, type IdentityCheck } from './donor-form'

export interface IdentityText {
  idNumber: string
  name: string
  phone: string
  household: Household | null
}

export type IdentityField = 'idNumber' | 'name' | 'phone' | 'household'

export interface IdentityCorrectionCheck {
  /** Per field: an error code of the donor form (donor.idErrors.*, donor.errors.*). */
  errors: Partial<Record<IdentityField, string>>
  /** The characters a name may not hold, for the message ("😀"). */
  nameBad: string
  /** Nothing differs from the identity as it stands. */
  unchanged: boolean
  id: IdentityCheck
  /** The corrected identity fields, when every check passed and something changed. */
  value: Pick<DonorIdentity, 'idNumber' | 'name' | 'phone' | 'household'> | null
  /** The ID number changed: the visit's records move to another donor key. */
  rekeys: boolean
  /** The ID number or household changed: the visit's donation or deferral is corrected too. */
  touchesVisit: boolean
}

/** The form as it starts: the identity as it stands. */
export function identityText(current: DonorIdentity): IdentityText {
  return { idNumber: current.idNumber, name: current.name, phone: current.phone, household: current.household }
}

export function checkIdentityCorrection(
  text: IdentityText,
  current: DonorIdentity,
  today: string,
): IdentityCorrectionCheck {
  const id = checkIdentity(text.idNumber, today, true)
  const errors: IdentityCorrectionCheck['errors'] = {}
  if (id.state === 'error') errors.idNumber = `idErrors.${id.error}`
  else if (id.state === 'incomplete') errors.idNumber = 'idErrors.length'
  // The name rule of registration (domain/person-name.ts), tidied as there.
  const checked = checkPersonName(text.name)
  const name = checked.name
  const phone = text.phone.trim()
  if (!checked.ok) errors.name = checked.error === 'empty' ? 'errors.required' : `nameErrors.${checked.error}`
  if (!/^[0-9+\- ]{0,20}$/.test(phone)) errors.phone = 'errors.phone'
  if (!text.household) errors.household = 'errors.required'
  const idNumber = id.state === 'ok' ? id.id18 : text.idNumber
  const unchanged =
    idNumber === current.idNumber &&
    name === current.name &&
    phone === current.phone &&
    text.household === current.household
  const ok = Object.keys(errors).length === 0 && !unchanged
  return {
    errors,
    nameBad: checked.ok ? '' : (checked.bad ?? []).join(' '),
    unchanged,
    id,
    value: ok ? { idNumber, name, phone, household: text.household! } : null,
    rekeys: ok && idNumber !== current.idNumber,
    touchesVisit: ok && (idNumber !== current.idNumber || text.household !== current.household),
  }
}

/**
 * A donation or deferral of the visit with the corrected donor facts: the household, and for a new
 * ID number the donor it names (its key, the sex and the age on the day of collection it tells,
 * and repeat donor as this phone knows that donor).
 */
export function correctedVisit<T extends Donation | Deferral>(
  record: T,
  fix: { household: Household; donor?: { donorKey: string; sex: Sex; birthDate: string; repeatDonor: boolean } },
): T {
  const donor = fix.donor
  return {
    ...record,
    household: fix.household,
    ...(donor
      ? {
          donorKey: donor.donorKey,
          sex: donor.sex,
          ageYears: ageOn(donor.birthDate, record.collectedOn),
          repeatDonor: donor.repeatDonor,
        }
      : {}),
  }
}
