// Adverse donor reactions staff can attach to a donation: the national guideline's types (see
// src/domain/haemovigilance.ts); labels live in the i18n files under record.reactionCodes.
export { REACTION_CODES, type ReactionCode } from '../../domain/haemovigilance'
