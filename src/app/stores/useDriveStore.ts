// The drive on this bus: open it, record people, void or correct, close it. Every change is a new
// immutable record saved with its outbox entry (db/field-records.ts); this store only builds the
// records from what the screens collected and reloads what the screens show.
import { defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import { emptyCounts, type IndicatorCounts } from '../../domain/indicator-counts'
import type { LookbackFlag } from '../../domain/lookback'
import { donorKey as makeDonorKey } from '../../domain/donor-key'
import { parseResidentId } from '../../domain/resident-id'
import { isoDateOf } from '../../domain/dates'
import { newPublicRef, type ContactConsent } from '../../domain/questionnaire-rules'
import type {
  QuestionnaireAnswers,
  AdverseReaction,
  Correction,
  Deferral,
  Donation,
  DonorIdentity,
  Drive,
  DriveClose,
  FieldRecord,
  Void,
} from '../../domain/records'
import type { FieldRecordSaves, SavedRecord, SaveOptions } from '../db/field-records'
import { loadDrive as readDriveAndLookback } from '../db/boot-read'
import { correctionsByTarget, driveTallyKey, newestVersion } from '../db/record-versions'
import { nextFreeDin } from '../field/din-check'
import type { RangeOverlap } from '../field/drive-open'
import { useDeviceStore } from './useDeviceStore'
import type { DriveCrewRow } from '../db/schema'
import { leaderRange } from '../../domain/din'
import { useEligibilityStore } from './useEligibilityStore'
import { useSessionStore } from './useSessionStore'

export type DriveOpenInput = Pick<
  Drive,
  | 'busCode'
  | 'siteId'
  | 'channelId'
  | 'teamIds'
  | 'date'
  | 'staffIds'
  | 'leaderStaffId'
  | 'dinFirst'
  | 'dinLast'
  | 'bagsLoaded'
  | 'planId'
  | 'reagentLots'
>
export type DriveCloseInput = Pick<DriveClose, 'bagsUsed' | 'bagsSpoiled' | 'bagsReturned' | 'discrepancyNote'>
export type ReactionInput = Pick<AdverseReaction, 'code' | 'severity' | 'note' | 'onset' | 'treatment' | 'outcome'>

/** What the donor form collected about one person. */
export interface DonorInput {
  identity: Pick<DonorIdentity, 'idNumber' | 'name' | 'phone' | 'household' | 'donorKey'>
  facts: Pick<Donation, 'sex' | 'ageYears' | 'repeatDonor'>
  vitals?: Donation['vitals']
  rapidTests?: Donation['rapidTests']
  outcome:
    | {
        kind: 'donation'
        product: Donation['product']
        abo: Donation['abo']
        rhd: Donation['rhd']
        din: string
        override?: Donation['override']
        bleed?: Donation['bleed']
      }
    | { kind: 'deferral'; reasonCode: string; reasonCodes?: string[]; until: string | null; note: string }
  /** The donor's questionnaire, consent signature and contact consent (schema 3, optional). */
  visit?: {
    questionnaire?: QuestionnaireAnswers
    contactConsent?: ContactConsent
    consentSignature?: string
  }
  /** The donor's registration on another phone of the bus, when handed over by QR code. */
  registrationId?: string
}

/** One donation or deferral of the drive as it stands now. */
export interface DriveEntry {
  /** The record as corrected (under the original id). */
  record: Donation | Deferral
  original: Donation | Deferral
  void: Void | null
  corrections: Correction[]
  reactions: AdverseReaction[]
  /** Holds the station placed on the donation after sync (lookback), as last pulled. */
  lookback: LookbackFlag[]
  donorName: string | null
  /** The donor's identity record of this visit as stored, and as corrected (null once purged or never on this phone). */
  identityRecord: DonorIdentity | null
  identity: DonorIdentity | null
  identityCorrections: Correction[]
}

/** A donor's name, ID number (18 characters, checked), phone and household, corrected. */
export type IdentityInput = Pick<DonorIdentity, 'idNumber' | 'name' | 'phone' | 'household'>

function byCreationOrder(corrections: Correction[]): Correction[] {
  return [...corrections].sort((a, b) =>
    a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : a.id < b.id ? -1 : 1,
  )
}

export interface DriveSummary {
  drive: Drive
  close: DriveClose | null
  tally: IndicatorCounts
}

/**
 * The save code (and the database library and id generator under it) loads on demand: the first
 * screen reads without it (db/boot-read.ts), and main.ts warms it once that screen is up, so a
 * save finds it loaded. Every write awaits it before building its records (authorship's ids).
 */
let newId: (() => string) | null = null
export async function loadSaves(): Promise<FieldRecordSaves> {
  const [saves, ids] = await Promise.all([import('../db/field-records'), import('../../domain/ids')])
  newId = ids.newId
  return saves
}

export const useDriveStore = defineStore('drive', () => {
  const device = useDeviceStore()
  const session = useSessionStore()

  const drive = shallowRef<Drive | null>(null)
  const close = shallowRef<DriveClose | null>(null)
  const entries = shallowRef<DriveEntry[]>([])
  const tally = shallowRef<IndicatorCounts>(emptyCounts())
  const drives = shallowRef<DriveSummary[]>([])
  const loading = ref(false)
  /** Bag numbers already on this drive (originals and corrections; a voided donation's bag is free again). */
  const usedDins = computed(() => {
    const used = new Set<string>()
    for (const e of entries.value) {
      if (e.void) continue
      if (e.original.type === 'donation') used.add(e.original.din)
      for (const c of e.corrections) if (c.replacement.type === 'donation') used.add(c.replacement.din)
    }
    return used
  })
  /** Bag numbers of this drive's range that other drives of this phone use (a DIN is used once per phone). */
  const dinsElsewhere = shallowRef<ReadonlySet<string>>(new Set())
  /** Several phones on one drive (issue 14): this phone's crew row, null for a drive of one phone. */
  const crew = shallowRef<DriveCrewRow | null>(null)
  /**
   * The bags this phone may use: a joining phone's block, or the leader's range without the blocks
   * it handed out (the whole range on a drive of one phone).
   */
  const bagRange = computed(() => {
    const d = drive.value
    if (!d) return null
    if (crew.value?.role === 'member' && crew.value.own) return crew.value.own
    return leaderRange(d, crew.value?.handedOut ?? []) ?? { dinFirst: d.dinFirst, dinLast: d.dinFirst, bagsLoaded: 0 }
  })
  /** The bag the donor form offers next: the first unused one after the highest used of the range. */
  const nextDin = computed(() =>
    bagRange.value ? nextFreeDin(bagRange.value, [...usedDins.value, ...dinsElsewhere.value]) : null,
  )

  function authorship() {
    const info = device.info
    const staffId = session.staffId
    if (!info) throw new Error('this phone is not enrolled')
    if (!staffId) throw new Error('nobody is signed in')
    return {
      id: newId!(),
      stationId: info.stationId,
      deviceId: info.deviceId,
      authorStaffId: staffId,
      createdAt: new Date().toISOString(),
    }
  }

  function today(): string {
    return isoDateOf(new Date(), device.station?.timeZone ?? 'Asia/Shanghai')
  }

  async function loadDrives(): Promise<void> {
    drives.value = await (await import('../db/drives')).recentDrives()
  }

  // A load that started before a local change must not overwrite it with older rows.
  let loadGeneration = 0

  let pendingLoad: { driveId: string; promise: Promise<Drive | null> } | null = null

  /** Reads the drive and everything on it in a fixed number of queries, whatever its size. */
  function loadDrive(driveId: string): Promise<Drive | null> {
    const promise = readDrive(driveId)
    pendingLoad = { driveId, promise }
    void promise
      .finally(() => {
        if (pendingLoad?.promise === promise) pendingLoad = null
      })
      .catch(() => {})
    return promise
  }

  /** The load of this drive already under way (a cold start begins one beside the database open), or a new one. */
  function whenLoaded(driveId: string): Promise<Drive | null> {
    return pendingLoad?.driveId === driveId ? pendingLoad.promise : loadDrive(driveId)
  }

  async function readDrive(driveId: string): Promise<Drive | null> {
    const generation = ++loadGeneration
    loading.value = true
    try {
      const { records: rows, lookback: flags } = await readDriveAndLookback(driveId)
      if (!rows) {
        if (generation === loadGeneration) {
          drive.value = null
          crew.value = null
          dinsElsewhere.value = new Set()
          entries.value = []
          close.value = null
          tally.value = emptyCounts()
        }
        return null
      }
      const found = rows.drive
      if (generation !== loadGeneration) return found
      const { voids, corrections, reactions, identities, identityFixes, dinUses } = rows
      // Newest first; ids (UUIDv7) break ties within a millisecond.
      const originals = [...rows.donations, ...rows.deferrals].sort((a, b) =>
        a.createdAt !== b.createdAt ? (a.createdAt < b.createdAt ? 1 : -1) : a.id < b.id ? 1 : -1,
      )
      const voidOf = new Map(voids.map((v) => [v.targetId, v]))
      const correctionsOf = correctionsByTarget(corrections)
      const identityFixesOf = correctionsByTarget(identityFixes)
      // The newest identity of each donor (ids are UUIDv7, so they sort by creation).
      const nameOf = new Map<string, DonorIdentity>()
      for (const i of identities) {
        const seen = nameOf.get(i.donorKey)
        if (!seen || seen.id < i.id) nameOf.set(i.donorKey, i)
      }
      const identityOf = (key: string) => {
        const record = nameOf.get(key) ?? null
        if (!record) return { identityRecord: null, identity: null, identityCorrections: [], donorName: null }
        const fixes = byCreationOrder(identityFixesOf.get(record.id) ?? [])
        const identity = newestVersion(record, fixes)
        return { identityRecord: record, identity, identityCorrections: fixes, donorName: identity.name || null }
      }
      drive.value = found
      crew.value = rows.crew
      dinsElsewhere.value = new Set(dinUses.filter((u) => u.driveId !== found.id).map((u) => u.din))
      close.value = rows.close
      tally.value = rows.tally
      entries.value = originals.map((original): DriveEntry => {
        const own = correctionsOf.get(original.id) ?? []
        return {
          record: newestVersion(original, own),
          original,
          void: voidOf.get(original.id) ?? null,
          corrections: [...own].sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0)),
          reactions: reactions.filter((r) => r.donationId === original.id),
          lookback: flags.filter((f) => f.donationId === original.id),
          ...identityOf(original.donorKey),
        }
      })
      return found
    } finally {
      if (generation === loadGeneration) loading.value = false
    }
  }

  async function reload(): Promise<void> {
    if (drive.value) await loadDrive(drive.value.id)
  }

  /** Drives of this phone whose bag range shares numbers with the new one (open, or closed lately). */
  async function rangeOverlapsOf(input: Pick<Drive, 'dinFirst' | 'dinLast'>): Promise<RangeOverlap[]> {
    const { DEFAULT_RANGE_OVERLAP_DAYS, rangeOverlaps } = await import('../field/drive-open')
    const days = device.station?.driveOverlapDays ?? DEFAULT_RANGE_OVERLAP_DAYS
    return rangeOverlaps(
      input.dinFirst,
      input.dinLast,
      await (await import('../db/drives')).drivesOnPhone(),
      new Date(),
      days,
    )
  }

  /** Opens the drive; `rangeOverlap` records the leader's confirmation of an overlapping range. */
  async function openDrive(input: DriveOpenInput, rangeOverlap?: Drive['rangeOverlap']): Promise<Drive> {
    const { saveFieldRecord } = await loadSaves()
    const record: Drive = { type: 'drive', ...authorship(), ...input, ...(rangeOverlap ? { rangeOverlap } : {}) }
    crew.value = null
    await saveFieldRecord(record)
    await loadDrive(record.id)
    return record
  }

  /** Saves the donor identity and the donation or deferral (and deletes the form's draft) in one transaction. */
  async function recordDonor(input: DonorInput, options: SaveOptions = {}): Promise<SavedRecord[]> {
    const { saveFieldBatch } = await loadSaves()
    const d = drive.value
    if (!d) throw new Error('no drive is open')
    const visit = input.visit ?? {}
    const identity: DonorIdentity = {
      type: 'donor_identity',
      ...authorship(),
      ...input.identity,
      ...(visit.consentSignature ? { consentSignature: visit.consentSignature } : {}),
    }
    const context = {
      driveId: d.id,
      channelId: d.channelId,
      siteId: d.siteId,
      teamIds: d.teamIds,
      collectedOn: today(),
      donorKey: input.identity.donorKey,
      household: input.identity.household,
      ...input.facts,
      ...(input.vitals ? { vitals: input.vitals } : {}),
      ...(visit.questionnaire ? { questionnaire: visit.questionnaire } : {}),
      ...(visit.contactConsent ? { contactConsent: visit.contactConsent } : {}),
      ...(input.rapidTests ? { rapidTests: input.rapidTests } : {}),
      ...(input.registrationId ? { registrationId: input.registrationId } : {}),
    }
    const o = input.outcome
    const outcome: Donation | Deferral =
      o.kind === 'donation'
        ? {
            type: 'donation',
            ...authorship(),
            ...context,
            collectedAt: new Date().toISOString(),
            product: o.product,
            abo: o.abo,
            rhd: o.rhd,
            din: o.din,
            ...(o.override ? { override: o.override } : {}),
            publicRef: newPublicRef(),
            ...(o.bleed ? { bleed: o.bleed } : {}),
          }
        : {
            type: 'deferral',
            ...authorship(),
            ...context,
            reasonCode: o.reasonCode,
            ...(o.reasonCodes ? { reasonCodes: o.reasonCodes } : {}),
            until: o.until,
            note: o.note,
          }
    const { saved, tallies } = await saveFieldBatch([identity, outcome], undefined, options)
    // Committed: the screen may say "saved" now. The tally comes from the same transaction and
    // the new person goes on top of the list; a full refresh follows when the phone is idle.
    if (drive.value?.id === d.id) {
      ++loadGeneration
      loading.value = false
      const counts = tallies.get(driveTallyKey(d.id))
      if (counts) tally.value = counts
      const stored = saved[1]!.record as Donation | Deferral
      const storedIdentity = saved[0]!.record as DonorIdentity
      entries.value = [
        {
          record: stored,
          original: stored,
          void: null,
          corrections: [],
          reactions: [],
          lookback: [],
          donorName: storedIdentity.name,
          identityRecord: storedIdentity,
          identity: storedIdentity,
          identityCorrections: [],
        },
        // The donor's newest identity stands for every visit of theirs, as a full load shows it.
        ...entries.value.map((e) =>
          e.original.donorKey === storedIdentity.donorKey
            ? {
                ...e,
                donorName: storedIdentity.name,
                identityRecord: storedIdentity,
                identity: storedIdentity,
                identityCorrections: [],
              }
            : e,
        ),
      ]
      refreshLater(d.id)
    }
    return saved
  }

  let refreshTimer: ReturnType<typeof setTimeout> | null = null
  function refreshLater(driveId: string): void {
    if (refreshTimer !== null) clearTimeout(refreshTimer)
    refreshTimer = setTimeout(() => {
      refreshTimer = null
      if (drive.value?.id === driveId)
        void loadDrive(driveId).catch(() => {
          /* the screen keeps what it shows */
        })
    }, 1500)
  }

  async function voidRecord(targetId: string, reason: string): Promise<SavedRecord> {
    const { saveFieldRecord } = await loadSaves()
    const saved = await saveFieldRecord({ type: 'void', ...authorship(), targetId, reason } satisfies Void)
    await reload()
    return saved
  }

  /** A correction replaces the whole record; `changes` are the fields that differ. */
  async function correctRecord(
    entry: DriveEntry,
    changes: Partial<Donation> | Partial<Deferral>,
    reason: string,
  ): Promise<SavedRecord> {
    const { saveFieldRecord } = await loadSaves()
    const base = authorship()
    const replacement = {
      ...entry.record,
      ...changes,
      id: entry.original.id,
      authorStaffId: base.authorStaffId,
      createdAt: base.createdAt,
    } as Donation | Deferral
    const saved = await saveFieldRecord({
      type: 'correction',
      ...base,
      targetId: entry.original.id,
      reason,
      replacement,
    } satisfies Correction)
    await reload()
    return saved
  }

  /**
   * Corrects a donor's identity by a correction record. A new ID number or household also corrects
   * the visit's donation or deferral on this drive (the donor facts the figures use), all in one
   * transaction (docs/data-format.md, "Identity corrections").
   */
  async function correctIdentity(entry: DriveEntry, input: IdentityInput, reason: string): Promise<SavedRecord[]> {
    const { saveFieldBatch } = await loadSaves()
    const original = entry.identityRecord
    const current = entry.identity
    if (!original || !current) throw new Error('this donor identity is no longer on this phone')
    const base = authorship()
    const rekeys = input.idNumber !== current.idNumber
    let donor: { donorKey: string; sex: Donation['sex']; birthDate: string; repeatDonor: boolean } | undefined
    if (rekeys) {
      const salt = device.station?.donorKeySalt
      if (!salt) throw new Error('this phone has no donor key salt; sync first')
      const parsed = parseResidentId(input.idNumber)
      if (!parsed.ok) throw new Error(`the ID number is not valid (${parsed.error})`)
      const key = await makeDonorKey(parsed.id18, salt)
      const history = (await useEligibilityStore().lookup(key)).history
      donor = {
        donorKey: key,
        sex: parsed.sex,
        birthDate: parsed.birthDate,
        repeatDonor: (history?.donationCount ?? 0) > 0 || history?.lastDonationOn != null,
      }
    }
    const records: FieldRecord[] = [
      {
        type: 'correction',
        ...base,
        targetId: original.id,
        reason,
        replacement: {
          ...current,
          ...input,
          donorKey: donor?.donorKey ?? current.donorKey,
          id: original.id,
          authorStaffId: base.authorStaffId,
          createdAt: base.createdAt,
        },
      } satisfies Correction,
    ]
    if (rekeys || input.household !== current.household) {
      const { correctedVisit } = await import('../field/identity-correction')
      // The visit: this drive's records of the donor as the identity stood, not voided.
      for (const e of entries.value) {
        if (e.void || e.record.donorKey !== current.donorKey) continue
        const own = authorship()
        records.push({
          type: 'correction',
          ...own,
          targetId: e.original.id,
          reason,
          replacement: {
            ...correctedVisit(e.record, { household: input.household, ...(donor ? { donor } : {}) }),
            id: e.original.id,
            authorStaffId: own.authorStaffId,
            createdAt: own.createdAt,
          },
        } satisfies Correction)
      }
    }
    const { saved } = await saveFieldBatch(records)
    await reload()
    return saved
  }

  async function addReaction(donationId: string, input: ReactionInput): Promise<SavedRecord> {
    const { saveFieldRecord } = await loadSaves()
    const saved = await saveFieldRecord({
      type: 'adverse_reaction',
      ...authorship(),
      donationId,
      occurredAt: new Date().toISOString(),
      ...input,
    } satisfies AdverseReaction)
    await reload()
    return saved
  }

  async function closeDrive(
    input: DriveCloseInput,
    signedOffBy: string,
    crewParts?: DriveClose['crew'],
  ): Promise<SavedRecord> {
    const { saveFieldRecord } = await loadSaves()
    const d = drive.value
    if (!d) throw new Error('no drive is open')
    const saved = await saveFieldRecord({
      type: 'drive_close',
      ...authorship(),
      driveId: d.id,
      bagsLoaded: d.bagsLoaded,
      ...input,
      ...(crewParts && crewParts.length > 0 ? { crew: crewParts } : {}),
      signedOffBy,
      closedAt: new Date().toISOString(),
    } satisfies DriveClose)
    await reload()
    return saved
  }

  function clear(): void {
    if (refreshTimer !== null) clearTimeout(refreshTimer)
    refreshTimer = null
    ++loadGeneration
    drive.value = null
    crew.value = null
    close.value = null
    entries.value = []
    tally.value = emptyCounts()
  }

  return {
    drive,
    close,
    entries,
    tally,
    drives,
    loading,
    usedDins,
    dinsElsewhere,
    crew,
    bagRange,
    nextDin,
    today,
    loadDrives,
    loadDrive,
    whenLoaded,
    reload,
    openDrive,
    rangeOverlapsOf,
    recordDonor,
    voidRecord,
    correctRecord,
    correctIdentity,
    addReaction,
    closeDrive,
    clear,
  }
})
