// The health questionnaire's rules, apart from the default question set's text (questionnaire.ts):
// the donor form's first screen needs these, and the questions only at its later steps.
import type { Question, Questionnaire } from './records'

export type { Question, Questionnaire } from './records'

export const QUESTION_KINDS = ['yes_no', 'self_exclusion'] as const

export const QUESTIONNAIRE_MAX_QUESTIONS = 60

/** Answers by question code: true is "yes" (for the self-exclusion question: "do not use my blood"). */
export type Answers = Record<string, boolean>

export function questionText(q: Pick<Question, 'zh' | 'en'>, locale: string): string {
  return locale.startsWith('zh') ? q.zh : q.en
}

/** The deferral reason codes the answers call for, in question order, each once. */
export function questionnaireDeferrals(q: Questionnaire, answers: Answers): string[] {
  const codes = q.questions.filter((x) => x.kind !== 'self_exclusion' && x.defersWith && answers[x.code] === true)
  return [...new Set(codes.map((x) => x.defersWith!))]
}

/** The donor asked that their blood not be used. */
export function selfExcluded(q: Questionnaire, answers: Answers): boolean {
  return q.questions.some((x) => x.kind === 'self_exclusion' && answers[x.code] === true)
}

export function allAnswered(q: Questionnaire, answers: Answers): boolean {
  return q.questions.every((x) => typeof answers[x.code] === 'boolean')
}

export function toBase64Url(bytes: Uint8Array): string {
  let s = ''
  for (const b of bytes) s += String.fromCharCode(b)
  return btoa(s).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '')
}

export function fromBase64Url(text: string): Uint8Array {
  const s = atob(text.replaceAll('-', '+').replaceAll('_', '/'))
  return Uint8Array.from(s, (c) => c.charCodeAt(0))
}

export const CONTACT_CONSENTS = ['none', 'sms', 'wechat'] as const
export type ContactConsent = (typeof CONTACT_CONSENTS)[number]

/** A non-guessable public reference of a donation (80 random bits, Crockford base32), for e-certificates. */
export function newPublicRef(
  random: (n: number) => Uint8Array = (n) => crypto.getRandomValues(new Uint8Array(n)),
): string {
  const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'
  const bytes = random(10)
  let bits = 0
  let acc = 0
  let out = ''
  for (const b of bytes) {
    acc = (acc << 8) | b
    bits += 8
    while (bits >= 5) {
      out += ALPHABET[(acc >> (bits - 5)) & 31]
      bits -= 5
    }
  }
  return out
}
export const PUBLIC_REF = /^[0-9A-HJKMNP-TV-Z]{16}$/
