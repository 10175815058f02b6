// The donor's health questionnaire and informed consent (献血者健康征询 / 知情同意), answered by the
// donor. The question set is station configuration (Station.questionnaire, pulled with the station
// row); without one the phone uses DEFAULT_QUESTIONNAIRE, after GB 18467-2011 appendix A. A "yes"
// to a question with a reason code defers with that code (deferral-reasons.ts). The last question is
// the confidential self-exclusion: its answer travels on the record to the station only.
import type { Question, Questionnaire } from './records'

// The rules without the default question set (questionnaire-rules.ts).
export {
  allAnswered,
  CONTACT_CONSENTS,
  fromBase64Url,
  newPublicRef,
  PUBLIC_REF,
  QUESTION_KINDS,
  QUESTIONNAIRE_MAX_QUESTIONS,
  questionnaireDeferrals,
  questionText,
  selfExcluded,
  toBase64Url,
  type Answers,
  type ContactConsent,
} from './questionnaire-rules'
export type { Question, Questionnaire } from './records'

const yesNo = (code: string, zh: string, en: string, defersWith?: string): Question => ({
  code,
  zh,
  en,
  kind: 'yes_no',
  ...(defersWith ? { defersWith } : {}),
})

export const DEFAULT_QUESTIONNAIRE: Questionnaire = Object.freeze({
  version: 'gb18467-2011.1',
  questions: [
    yesNo(
      'cold_fever',
      '最近一周内您是否有感冒、发热、咳嗽或腹泻？',
      'In the last week, have you had a cold, fever, cough or diarrhoea?',
      'cold_fever',
    ),
    yesNo(
      'tooth',
      '最近半个月内您是否拔过牙或看过牙？',
      'In the last two weeks, have you had a tooth pulled or dental treatment?',
      'tooth_extraction',
    ),
    yesNo(
      'surgery',
      '最近半年内您是否做过手术？',
      'In the last six months, have you had an operation?',
      'major_surgery',
    ),
    yesNo(
      'tattoo',
      '最近一年内您是否纹身、纹眉、穿耳洞或做过针灸？',
      'In the last year, have you had a tattoo, piercing or acupuncture?',
      'tattoo',
    ),
    yesNo(
      'transfusion',
      '最近一年内您是否输过血或血液制品？',
      'In the last year, have you received blood or blood products?',
      'transfusion',
    ),
    yesNo(
      'vaccine',
      '最近一个月内您是否接种过疫苗？',
      'In the last month, have you had a vaccination?',
      'vaccine_live',
    ),
    yesNo(
      'medication',
      '最近一周内您是否服用过药物（包括阿司匹林）？',
      'In the last week, have you taken any medicine (aspirin included)?',
      'medication',
    ),
    yesNo('alcohol', '最近24小时内您是否饮过酒？', 'In the last 24 hours, have you drunk alcohol?', 'alcohol'),
    yesNo(
      'malaria_travel',
      '最近一年内您是否去过疟疾流行地区？',
      'In the last year, have you been to an area with malaria?',
      'malaria_area_travel',
    ),
    yesNo('menstruation', '（女性）您目前是否在月经期？', '(Women) Are you having your period now?', 'menstruation'),
    yesNo(
      'pregnancy',
      '（女性）最近一年内您是否怀孕、分娩或流产，或正在哺乳？',
      '(Women) In the last year, have you been pregnant, given birth, miscarried, or are you breastfeeding?',
      'childbirth_lactation',
    ),
    yesNo(
      'hepatitis',
      '您是否患过肝炎，或乙肝、丙肝检测阳性？',
      'Have you ever had hepatitis, or tested positive for hepatitis B or C?',
      'hepatitis',
    ),
    yesNo('hiv_syphilis', '您是否感染过艾滋病病毒或患过梅毒？', 'Have you ever had HIV or syphilis?', 'hiv_syphilis'),
    yesNo(
      'high_risk',
      '您是否有过吸毒、男男性行为、多个性伴侣等高危行为？',
      'Have you ever used drugs, had sex between men, or had several sexual partners?',
      'high_risk_behaviour',
    ),
    {
      code: 'self_exclusion',
      zh: '如果您认为自己的血液可能不安全，请选择“请勿使用我的血液”。此答案保密，只有血站能看到。',
      en: 'If you think your blood may not be safe, choose "Please do not use my blood". This answer is confidential: only the blood station sees it.',
      kind: 'self_exclusion' as const,
    },
  ],
  consentZh:
    '我已如实回答以上问题，了解献血的过程和可能出现的不良反应，自愿献血，同意血站对我的血液进行检测，并按规定保存和使用我的信息。',
  consentEn:
    'I have answered truthfully, I understand how blood is given and the reactions that may follow, I give blood of my own free will, and I agree that the station tests my blood and keeps and uses my details as the law allows.',
})

/** The station's question set, or the default. */
export function questionnaireOf(
  station: { questionnaire?: Questionnaire | undefined } | null | undefined,
): Questionnaire {
  return station?.questionnaire ?? DEFAULT_QUESTIONNAIRE
}
