// Adverse donor reactions staff can attach to a donation (codes follow the usual haemovigilance
// categories; labels live in the i18n files under record.reactionCodes).
export const REACTION_CODES = [
  'vasovagal',
  'hematoma',
  'citrate',
  'nerve_injury',
  'arterial_puncture',
  'other',
] as const
export type ReactionCode = (typeof REACTION_CODES)[number]
