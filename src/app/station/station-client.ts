// The station pages' only way to the server: manager login and the admin and report API
// (docs/admin-api.md), over the HTTP core (../net/http.ts) with the session cookie and its CSRF
// token. Every answer is checked against the shared schemas; every refusal is a RequestError with
// the server's code and message (and, for targets, the per-field errors).
import * as v from 'valibot'
import { LookbackFlagSchema, LookbackListItemSchema, type LookbackStatus } from '../../domain/lookback'
import type { IndicatorCounts, Indicators } from '../../domain/indicators'
import {
  ChannelSchema,
  PopulationSchema,
  RosterEntrySchema,
  ScopeSchema,
  SiteSchema,
  StationSchema,
  TargetSchema,
  TeamSchema,
  type Channel,
  type FieldRecord,
  type Population,
  type Scope,
  type Site,
  type Station,
  type Target,
  type Team,
} from '../../domain/records'
import { type DrivePlan, DrivePlanSchema, RECRUITMENT_REASONS } from '../../domain/plans'
import { createHttpClient, type HttpMethod } from '../net/http'
import type { BleedLimits } from '../../domain/bleed'
import type { FollowUpKind } from '../../domain/haemovigilance'
import { FlaggedBagsSchema, FollowUpSchema, FollowUpsSchema, HaemovigilanceSchema } from './clinic-wire'

const AccountSchema = v.object({
  id: v.string(),
  stationId: v.string(),
  username: v.string(),
  role: v.picklist(['admin', 'manager']),
})
export type Account = v.InferOutput<typeof AccountSchema>

// The session itself is an HttpOnly cookie this page cannot read; the answer brings the CSRF token
// the page sends back on every change (X-CSRF-Token), useless without that cookie.
const LoginSchema = v.object({
  expiresAt: v.string(),
  account: AccountSchema,
  station: v.optional(StationSchema),
  csrfToken: v.string(),
})
export type StationLogin = v.InferOutput<typeof LoginSchema>

const MeSchema = v.object({
  account: AccountSchema,
  station: v.optional(StationSchema),
  expiresAt: v.nullable(v.string()),
  csrfToken: v.string(),
})
export type StationMe = v.InferOutput<typeof MeSchema>

export const StaffMemberSchema = v.omit(RosterEntrySchema, ['pinHash'])
export type StaffMember = v.InferOutput<typeof StaffMemberSchema>

export const DeviceSummarySchema = v.object({
  id: v.string(),
  name: v.string(),
  enrolledAt: v.string(),
  revokedAt: v.nullable(v.string()),
  lastSeq: v.number(),
  lastPushAt: v.nullable(v.string()),
  lastPullAt: v.nullable(v.string()),
  lastSyncAt: v.nullable(v.string()),
  /** Records waiting on the phone at its last pull (issue 15); absent or null: not known. */
  pendingRecords: v.optional(v.nullable(v.number()), null),
  pendingAt: v.optional(v.nullable(v.string()), null),
})
export type DeviceSummary = v.InferOutput<typeof DeviceSummarySchema>

const EnrollmentCodeSchema = v.object({
  code: v.string(),
  expiresAt: v.string(),
  /** What the QR code carries: the app's enroll page with code and station filled in. */
  payload: v.optional(v.string()),
})
export type EnrollmentCode = v.InferOutput<typeof EnrollmentCodeSchema>

// Reports carry the domain's IndicatorCounts and Indicators; their shape is the domain's, checked loosely here.
const CountsSchema = v.custom<IndicatorCounts>(
  (x) =>
    typeof x === 'object' &&
    x !== null &&
    typeof (x as IndicatorCounts).donations === 'number' &&
    typeof (x as IndicatorCounts).byChannel === 'object',
  'counts expected',
)
const IndicatorsSchema = v.custom<Indicators>(
  (x) => v.is(CountsSchema, x) && 'rate400ml' in (x as object),
  'indicators expected',
)

const IndicatorReportSchema = v.object({
  from: v.string(),
  to: v.string(),
  scope: ScopeSchema,
  counts: CountsSchema,
  indicators: IndicatorsSchema,
})
export type IndicatorReport = v.InferOutput<typeof IndicatorReportSchema>

// Retention and quality figures (GET /api/v1/reports/retention, issue 15)
const ReturnFigureSchema = v.object({ firstTimers: v.number(), returned: v.number(), share: v.nullable(v.number()) })
const RetentionReportSchema = v.object({
  from: v.string(),
  to: v.string(),
  asOf: v.string(),
  channelId: v.nullable(v.string()),
  figures: v.object({
    donations: v.number(),
    firstTimeDonations: v.number(),
    firstTimeShare: v.nullable(v.number()),
    return12m: v.object({
      all: ReturnFigureSchema,
      byChannel: v.record(v.string(), ReturnFigureSchema),
      bySiteKind: v.object({ bus: ReturnFigureSchema, fixed: ReturnFigureSchema }),
    }),
    presentations: v.number(),
    deferrals: v.number(),
    deferralsPer10k: v.nullable(v.number()),
    deferralsPer10kByReason: v.record(v.string(), v.number()),
    reactions: v.number(),
    reactionsPer1000: v.nullable(v.number()),
    drives: v.number(),
    donationsOnDrives: v.number(),
    donationsPerDrive: v.nullable(v.number()),
    crewHours: v.number(),
    donationsOnClosedDrives: v.number(),
    donationsPerCrewHour: v.nullable(v.number()),
    eligible400: v.number(),
    given400: v.number(),
    conversion400: v.nullable(v.number()),
  }),
})
export type RetentionReport = v.InferOutput<typeof RetentionReportSchema>

const MonthlySchema = v.object({
  months: v.array(
    v.object({
      month: v.string(),
      from: v.string(),
      to: v.string(),
      counts: CountsSchema,
      indicators: IndicatorsSchema,
    }),
  ),
})
export type MonthlyPoint = v.InferOutput<typeof MonthlySchema>['months'][number]

const RecordPageSchema = v.object({
  records: v.array(
    v.object({
      id: v.string(),
      type: v.string(),
      receivedAt: v.string(),
      deviceId: v.nullable(v.string()),
      voided: v.boolean(),
      correctedBy: v.nullable(v.string()),
      record: v.custom<FieldRecord>(
        (x) => typeof x === 'object' && x !== null && typeof (x as { type?: unknown }).type === 'string',
      ),
    }),
  ),
  next: v.nullable(v.string()),
})
export type RecordPage = v.InferOutput<typeof RecordPageSchema>
export type ListedRecord = RecordPage['records'][number]

// rules: deferrals by reason, leaders' overrides by reason and by drive (GET /api/v1/reports/rules)
const CountByCodeSchema = v.object({ code: v.string(), n: v.number() })
const RulesReportSchema = v.object({
  deferrals: v.number(),
  deferralsByReason: v.array(CountByCodeSchema),
  overrides: v.number(),
  overridesByReason: v.array(CountByCodeSchema),
  overridesByDrive: v.array(
    v.object({
      driveId: v.nullable(v.string()),
      date: v.nullable(v.string()),
      busCode: v.nullable(v.string()),
      siteId: v.nullable(v.string()),
      n: v.number(),
    }),
  ),
})
export type RulesReport = v.InferOutput<typeof RulesReportSchema>

export interface ReportQuery {
  from: string
  to: string
  scope?: Scope
}

function reportQuery(q: ReportQuery): string {
  const p = new URLSearchParams({ from: q.from, to: q.to })
  if (q.scope && q.scope.kind !== 'station') {
    p.set('scope', q.scope.kind)
    if (q.scope.id) p.set('scopeId', q.scope.id)
  }
  return p.toString()
}

export interface StationClientOptions {
  /** Station origin; '' for the page's own. */
  baseUrl?: string
  /** The cookie session's CSRF token, sent on every request that changes something. */
  csrfToken: () => string | null
  /** Told of every 401 so the session can end and the page go to sign-in. */
  onUnauthorized?: () => void
  fetch?: typeof fetch
}

const LOGIN_PATH = '/api/v1/auth/login'

export function createStationClient(options: StationClientOptions) {
  const http = createHttpClient({
    baseUrl: options.baseUrl,
    csrfToken: options.csrfToken,
    // The session cookie goes with every call to the station's own origin.
    credentials: 'same-origin',
    // These pages are served by the station itself: every answer is the station's.
    trust: 'any',
    onUnauthorized: (path) => {
      if (path !== LOGIN_PATH) options.onUnauthorized?.()
    },
    fetch: options.fetch,
  })

  const json = <T>(method: HttpMethod, path: string, schema: v.GenericSchema<unknown, T>, body?: unknown) =>
    http.json({ method, path, json: body }, schema)

  const list = <S extends v.GenericSchema>(key: string, item: S) =>
    v.pipe(
      v.union([v.array(item), v.object({ [key]: v.array(item) })]),
      v.transform((x) => (Array.isArray(x) ? x : (x as Record<string, unknown>)[key]) as v.InferOutput<S>[]),
    )
  const one = <S extends v.GenericSchema>(key: string, item: S) =>
    v.pipe(
      v.union([item, v.object({ [key]: item })]),
      v.transform((x) => (v.is(item, x) ? x : (x as Record<string, unknown>)[key]) as v.InferOutput<S>),
    )
  const id = (x: string) => encodeURIComponent(x)

  return {
    // Session
    login: (body: { stationCode: string; username: string; password: string }) =>
      json('POST', LOGIN_PATH, LoginSchema, { ...body, session: 'cookie' }),
    /** The session the browser's cookie holds, if any (after a reload, or in a second tab). */
    me: () => json('GET', '/api/v1/auth/me', MeSchema),
    logout: () => http.send({ method: 'POST', path: '/api/v1/auth/logout' }),
    station: () => json('GET', '/api/v1/admin/station', StationSchema),
    /** Name and the phones' PIN lockout count (null: the default). */
    updateStation: (body: { name?: string; pinMaxAttempts?: number | null }) =>
      json('PATCH', '/api/v1/admin/station', StationSchema, body),

    // Staff
    listStaff: () => json('GET', '/api/v1/admin/staff', list('staff', StaffMemberSchema)),
    addStaff: (body: { name: string; role: StaffMember['role']; pin: string }) =>
      json('POST', '/api/v1/admin/staff', one('staff', StaffMemberSchema), body),
    updateStaff: (staffId: string, body: Partial<Pick<StaffMember, 'name' | 'role' | 'active'>>) =>
      json('PATCH', `/api/v1/admin/staff/${id(staffId)}`, one('staff', StaffMemberSchema), body),
    resetPin: (staffId: string, pin: string) =>
      json('POST', `/api/v1/admin/staff/${id(staffId)}/pin`, one('staff', StaffMemberSchema), { pin }),

    // Phones
    listDevices: () => json('GET', '/api/v1/admin/devices', list('devices', DeviceSummarySchema)),
    issueEnrollmentCode: () => json('POST', '/api/v1/admin/enrollment-codes', EnrollmentCodeSchema, {}),
    revokeDevice: (deviceId: string) =>
      json('POST', `/api/v1/admin/devices/${id(deviceId)}/revoke`, one('device', DeviceSummarySchema), {}),

    // Sites, channels, teams
    listSites: () => json('GET', '/api/v1/admin/sites', list('sites', SiteSchema)),
    saveSite: (site: Omit<Site, 'stationId' | 'id'> & { id?: string }) =>
      site.id
        ? json('PATCH', `/api/v1/admin/sites/${id(site.id)}`, one('site', SiteSchema), site)
        : json('POST', '/api/v1/admin/sites', one('site', SiteSchema), site),
    listChannels: () => json('GET', '/api/v1/admin/channels', list('channels', ChannelSchema)),
    saveChannel: (channel: Omit<Channel, 'stationId' | 'id'> & { id?: string }) =>
      channel.id
        ? json('PATCH', `/api/v1/admin/channels/${id(channel.id)}`, one('channel', ChannelSchema), channel)
        : json('POST', '/api/v1/admin/channels', one('channel', ChannelSchema), channel),
    listTeams: () => json('GET', '/api/v1/admin/teams', list('teams', TeamSchema)),
    saveTeam: (team: Omit<Team, 'stationId' | 'id'> & { id?: string }) =>
      team.id
        ? json('PATCH', `/api/v1/admin/teams/${id(team.id)}`, one('team', TeamSchema), team)
        : json('POST', '/api/v1/admin/teams', one('team', TeamSchema), team),

    // Targets and population
    listTargets: () => json('GET', '/api/v1/admin/targets', list('targets', TargetSchema)),
    createTarget: (target: Target) => json('POST', '/api/v1/admin/targets', one('target', TargetSchema), target),
    updateTarget: (target: Target) =>
      json('PATCH', `/api/v1/admin/targets/${id(target.id)}`, one('target', TargetSchema), target),
    deleteTarget: (targetId: string) => http.send({ method: 'DELETE', path: `/api/v1/admin/targets/${id(targetId)}` }),
    listPopulations: () => json('GET', '/api/v1/admin/populations', list('populations', PopulationSchema)),
    savePopulation: (year: number, population: number) =>
      json('PUT', `/api/v1/admin/populations/${year}`, one('population', PopulationSchema), { population }),

    // Reports (docs/admin-api.md): counts and indicators of a period and scope, monthly series, records
    indicators: (q: ReportQuery) => json('GET', `/api/v1/reports/indicators?${reportQuery(q)}`, IndicatorReportSchema),
    monthly: (q: ReportQuery) => json('GET', `/api/v1/reports/monthly?${reportQuery(q)}`, MonthlySchema),
    rules: (q: ReportQuery) => json('GET', `/api/v1/reports/rules?${reportQuery(q)}`, RulesReportSchema),
    retention: (q: { from: string; to: string; asOf?: string; channelId?: string | null }) => {
      const p = new URLSearchParams({ from: q.from, to: q.to })
      if (q.asOf) p.set('asOf', q.asOf)
      if (q.channelId) p.set('channel', q.channelId)
      return json('GET', `/api/v1/reports/retention?${p}`, RetentionReportSchema)
    },
    records: (q: ReportQuery & { limit?: number; after?: string | null }) => {
      const extra = new URLSearchParams()
      if (q.limit) extra.set('limit', String(q.limit))
      if (q.after) extra.set('after', q.after)
      return json('GET', `/api/v1/reports/records?${reportQuery(q)}&${extra}`, RecordPageSchema)
    },
    // Clinic (issue 14): flagged bags, follow-up calls after reactions, reaction rates, bleed limits
    flaggedBags: (from: string, to: string) =>
      json('GET', `/api/v1/reports/flagged-bags?from=${from}&to=${to}`, FlaggedBagsSchema),
    followUps: (status: 'open' | 'done' | 'all') =>
      json('GET', `/api/v1/reports/reaction-follow-ups?status=${status}`, FollowUpsSchema),
    markFollowUpDone: (body: { reactionId: string; kind: FollowUpKind; note: string }) =>
      json('POST', '/api/v1/admin/reaction-follow-ups', FollowUpSchema, body),
    haemovigilance: (from: string, to: string) =>
      json('GET', `/api/v1/reports/haemovigilance?from=${from}&to=${to}`, HaemovigilanceSchema),
    setBleedLimits: (limits: BleedLimits | null) =>
      json('PUT', '/api/v1/admin/station/bleed-limits', StationSchema, limits),
    /** A period's records as an interchange file (docs/data-format.md) that `cli import` takes back. */
    exportInterchange: (q: ReportQuery): Promise<Blob> =>
      http.blob({ path: `/api/v1/reports/export?${reportQuery(q)}&format=jsonl`, accept: 'application/x-ndjson' }),
    /** Donations whose donor asked, in confidence, that the blood not be used (schema 3). */
    selfExclusions: (q: { from: string; to: string }) =>
      json(
        'GET',
        `/api/v1/admin/self-exclusions?${new URLSearchParams(q)}`,
        v.array(
          v.object({
            id: v.string(),
            din: v.string(),
            collectedOn: v.string(),
            driveId: v.nullable(v.string()),
            siteId: v.nullable(v.string()),
            questionnaireVersion: v.string(),
          }),
        ),
      ),
    /** Donors who agreed to be contacted, with name and phone, as a CSV or XLSX file. */
    exportContacts: (format: 'csv' | 'xlsx'): Promise<Blob> =>
      http.blob({ path: `/api/v1/admin/contacts?format=${format}`, accept: '*/*' }),

    // Drive plans, planned vs done, recruitment lists, donor flags (issue 15; docs/admin-api.md)
    listPlans: (from: string, to: string) =>
      json('GET', `/api/v1/admin/plans?from=${from}&to=${to}`, v.array(DrivePlanSchema)),
    savePlan: (plan: DrivePlanInput) =>
      plan.id
        ? json('PATCH', `/api/v1/admin/plans/${id(plan.id)}`, DrivePlanSchema, plan)
        : json('POST', '/api/v1/admin/plans', DrivePlanSchema, plan),
    deletePlan: (planId: string) => http.send({ method: 'DELETE', path: `/api/v1/admin/plans/${id(planId)}` }),
    planSummary: (year: number, asOf: string) =>
      json('GET', `/api/v1/admin/plan-summary?year=${year}&asOf=${asOf}`, PlanSummarySchema),
    recruitment: (planId: string, months: number) =>
      json('GET', `/api/v1/admin/plans/${id(planId)}/recruitment?months=${months}`, RecruitmentListSchema),
    listDonorFlags: () => json('GET', '/api/v1/admin/donor-flags', v.array(DonorFlagSchema)),
    setDonorFlag: (body: { idNumber?: string; donorKey?: string; emergencyTeam: boolean }) =>
      json('PUT', '/api/v1/admin/donor-flags', DonorFlagSchema, body),

    // Lookback holds (issue 15): the lab's quarantine list and its decisions
    listLookbacks: (status?: LookbackStatus) =>
      json(
        'GET',
        `/api/v1/admin/lookback${status ? `?status=${status}` : ''}`,
        list('lookback', LookbackListItemSchema),
      ),
    decideLookback: (flagId: string, body: { decision: 'released' | 'confirmed'; note?: string }) =>
      json('POST', `/api/v1/admin/lookback/${id(flagId)}/decision`, LookbackFlagSchema, body),

    // Station pages on a phone (issue 15): named phones, open enrollment codes, paged staff and sites
    issueNamedEnrollmentCode: (deviceName: string) =>
      json('POST', '/api/v1/admin/enrollment-codes', EnrollmentCodeSchema, { deviceName }),
    listEnrollmentCodes: () => json('GET', '/api/v1/admin/enrollment-codes', v.array(OpenEnrollmentCodeSchema)),
    revokeEnrollmentCode: (codeId: string) =>
      http.send({ method: 'DELETE', path: `/api/v1/admin/enrollment-codes/${id(codeId)}` }),
    renameDevice: (deviceId: string, name: string) =>
      json('PATCH', `/api/v1/admin/devices/${id(deviceId)}`, one('device', DeviceSummarySchema), { name }),
    pageStaff: (q: PageRequest) =>
      json('GET', `/api/v1/admin/staff?${pageParams(q)}`, pageOf('staff', StaffMemberSchema)),
    /** Years with counted records, newest first. */
    yearsWithRecords: () =>
      json(
        'GET',
        '/api/v1/reports/years',
        v.object({ years: v.array(v.object({ year: v.number(), records: v.number() })) }),
      ),
    pageSites: (q: PageRequest) => json('GET', `/api/v1/admin/sites?${pageParams(q)}`, pageOf('sites', SiteSchema)),
  }
}

// Drive plans (issue 15)
export type DrivePlanInput = Omit<DrivePlan, 'id' | 'stationId'> & { id?: string }
const PlanSummarySchema = v.object({
  year: v.number(),
  asOf: v.string(),
  months: v.array(
    v.object({
      month: v.string(),
      plannedTrips: v.number(),
      plannedRuralTrips: v.number(),
      plannedDonations: v.number(),
      doneTrips: v.number(),
      doneRuralTrips: v.number(),
      doneDonations: v.number(),
    }),
  ),
  target: v.nullable(TargetSchema),
  pace: v.object({
    target: v.nullable(v.number()),
    done: v.number(),
    expectedByNow: v.nullable(v.number()),
    plannedAhead: v.number(),
    tripsNeeded: v.nullable(v.number()),
    tripsUnplanned: v.nullable(v.number()),
    weeksLeft: v.number(),
    tripsPerWeek: v.nullable(v.number()),
    donationsPerTrip: v.nullable(v.number()),
    donationsNeeded: v.nullable(v.number()),
  }),
})
export type PlanSummary = v.InferOutput<typeof PlanSummarySchema>
const RecruitmentListSchema = v.object({
  plan: DrivePlanSchema,
  monthsSince: v.number(),
  siteIds: v.array(v.string()),
  rows: v.array(
    v.object({
      donorKey: v.string(),
      name: v.string(),
      phone: v.string(),
      abo: v.string(),
      rhd: v.string(),
      lastDonationOn: v.nullable(v.string()),
      lastSiteName: v.string(),
      donationCount: v.number(),
      eligibleOn: v.nullable(v.string()),
      reasons: v.array(v.picklist(RECRUITMENT_REASONS)),
    }),
  ),
})
export type RecruitmentList = v.InferOutput<typeof RecruitmentListSchema>
const DonorFlagSchema = v.object({
  donorKey: v.string(),
  emergencyTeam: v.boolean(),
  updatedAt: v.string(),
  name: v.string(),
  phone: v.string(),
})
export type DonorFlag = v.InferOutput<typeof DonorFlagSchema>
/** An enrollment code issued and not spent yet (its text is never shown again). */
const OpenEnrollmentCodeSchema = v.object({
  id: v.string(),
  deviceName: v.nullable(v.string()),
  createdAt: v.string(),
  expiresAt: v.string(),
})
export type OpenEnrollmentCode = v.InferOutput<typeof OpenEnrollmentCodeSchema>

export interface PageRequest {
  q: string
  limit: number
  offset: number
}
export interface ListPage<T> {
  items: T[]
  total: number
  offset: number
  limit: number
}
function pageParams(q: PageRequest): string {
  return new URLSearchParams({ q: q.q, limit: String(q.limit), offset: String(q.offset) }).toString()
}
function pageOf<S extends v.GenericSchema>(key: string, item: S) {
  return v.pipe(
    v.object({ [key]: v.array(item), total: v.number(), offset: v.number(), limit: v.number() }),
    v.transform((x): ListPage<v.InferOutput<S>> => ({
      items: (x as Record<string, unknown>)[key] as v.InferOutput<S>[],
      total: x.total as number,
      offset: x.offset as number,
      limit: x.limit as number,
    })),
  )
}

export type StationClient = ReturnType<typeof createStationClient>
export type { Channel, Population, Site, Station, Target, Team }
