// One drive, several phones (issue 14): the QR codes the phones of a bus hand each other, offline.
// The leader's phone names a joining phone by scanning its code, hands it a block of bags and shows
// a join code only that phone accepts; at the end each joining phone shows its report, which the
// leader's phone scans into the whole bus's reconciliation. A donor registered on one phone goes on
// to the next by a code too. The drive store holds the drive; this store builds and reads the codes.
import { defineStore } from 'pinia'
import {
  type CrewPart,
  type CrewReport,
  handOutBags,
  type HandOutError,
  packDins,
  type BusReconciliation,
  reconcileBus,
  suggestedBlock,
  unpackDins,
} from '../../domain/drive-crew'
import { newId } from '../../domain/ids'
import type { DonorIdentity } from '../../domain/records'
import { joinDrive, markReported, recordHandOut, recordReport } from '../db/drive-crew'
import { type CrewCode, type CrewCodeProblem, decodeCrewCode, encodeCrewCode } from '../field/crew-code'
import { useDeviceStore } from './useDeviceStore'
import { useDriveStore } from './useDriveStore'
import { useSessionStore } from './useSessionStore'

export type JoinProblem = CrewCodeProblem | 'other_station' | 'other_phone' | 'already_here'
export type AddPhoneProblem = CrewCodeProblem | 'other_station' | 'self' | 'already_joined'
export type ReportProblem = CrewCodeProblem | 'other_drive' | 'unknown_phone'
export type DonorCodeProblem = CrewCodeProblem | 'other_drive'

export type DonorHandoff = CrewCode<'donor'>

export const useDriveCrewStore = defineStore('driveCrew', () => {
  const device = useDeviceStore()
  const session = useSessionStore()
  const driveStore = useDriveStore()

  function me(): { stationId: string; deviceId: string } {
    const info = device.info
    if (!info) throw new Error('this phone is not enrolled')
    return { stationId: info.stationId, deviceId: info.deviceId }
  }

  /** This phone's own code, for the leader to scan: it names the phone by the staff signed in. */
  async function phoneCode(): Promise<string> {
    return encodeCrewCode('phone', { ...me(), label: session.staff?.name ?? '' })
  }

  /** A joining phone reads the leader's join code and takes the drive with its block of bags. */
  async function join(
    text: string,
  ): Promise<{ ok: true; driveId: string } | { ok: false; problem: JoinProblem; label?: string }> {
    const code = await decodeCrewCode(text, 'join')
    if (!code.ok) return code
    const { drive, part, leaderDeviceId } = code.value
    const mine = me()
    if (drive.stationId !== mine.stationId) return { ok: false, problem: 'other_station' }
    if (part.deviceId !== mine.deviceId) return { ok: false, problem: 'other_phone', label: part.label }
    try {
      await joinDrive(drive, part, leaderDeviceId)
    } catch (e) {
      if ((e as Error).message === 'already_here') return { ok: false, problem: 'already_here' }
      throw e
    }
    return { ok: true, driveId: drive.id }
  }

  /** The leader reads a joining phone's code. */
  async function readPhone(
    text: string,
  ): Promise<{ ok: true; phone: CrewCode<'phone'> } | { ok: false; problem: AddPhoneProblem }> {
    const code = await decodeCrewCode(text, 'phone')
    if (!code.ok) return code
    const mine = me()
    if (code.value.stationId !== mine.stationId) return { ok: false, problem: 'other_station' }
    if (code.value.deviceId === mine.deviceId) return { ok: false, problem: 'self' }
    if (driveStore.crew?.handedOut.some((p) => p.deviceId === code.value.deviceId))
      return { ok: false, problem: 'already_joined' }
    return { ok: true, phone: code.value }
  }

  /** Bags suggested for the next phone: half of what the leader's phone has left unused. */
  function suggestedCount(): number {
    const d = driveStore.drive
    return d ? suggestedBlock(d, driveStore.crew?.handedOut ?? [], driveStore.usedDins) : 0
  }

  /** The leader cuts a block for the phone and records it before showing its join code. */
  async function handOut(
    phone: { deviceId: string; label: string },
    count: number,
  ): Promise<{ ok: true; part: CrewPart } | { ok: false; problem: HandOutError }> {
    const d = driveStore.drive
    if (!d) throw new Error('no drive is open')
    const cut = handOutBags(d, driveStore.crew?.handedOut ?? [], phone, count, [
      ...driveStore.usedDins,
      ...driveStore.dinsElsewhere,
    ])
    if (!cut.ok) return { ok: false, problem: cut.error }
    await recordHandOut(d.id, me().deviceId, cut.part)
    await driveStore.reload()
    return { ok: true, part: cut.part }
  }

  /** The join code of a block handed out: the drive record as stored, and the block (it names its phone). */
  async function joinCode(part: CrewPart): Promise<string> {
    const d = driveStore.drive
    if (!d) throw new Error('no drive is open')
    return encodeCrewCode('join', { drive: d, part, leaderDeviceId: me().deviceId })
  }

  /** What this phone did on the drive, as the leader's close counts it. */
  function ownReport(): CrewReport | null {
    const d = driveStore.drive
    const range = driveStore.bagRange
    if (!d || !range) return null
    const live = driveStore.entries.filter((e) => !e.void)
    return {
      driveId: d.id,
      deviceId: me().deviceId,
      label: session.staff?.name ?? '',
      dinFirst: range.dinFirst,
      dinLast: range.dinLast,
      bagsLoaded: range.bagsLoaded,
      // The bag each live donation holds now (as corrected): one a donation.
      usedDins: live.flatMap((e) => (e.record.type === 'donation' ? [e.record.din] : [])),
      donations: live.filter((e) => e.record.type === 'donation').length,
      deferrals: live.filter((e) => e.record.type === 'deferral').length,
    }
  }

  /** The whole bus at the leader's close, or null for a drive of one phone. */
  function busReconciliation(): BusReconciliation | null {
    const c = driveStore.crew
    const own = ownReport()
    if (!c || c.role !== 'leader' || c.handedOut.length === 0 || !own) return null
    const leaderName = device.staffById(driveStore.drive!.leaderStaffId)?.name ?? own.label
    return reconcileBus({ ...own, label: leaderName }, c.handedOut, c.reports)
  }

  /** A joining phone's report code for the leader. */
  async function reportCode(): Promise<string> {
    const r = ownReport()
    if (!r) throw new Error('no drive is open')
    const { usedDins, ...rest } = r
    return encodeCrewCode('report', {
      ...rest,
      label: driveStore.crew?.own?.label || rest.label,
      used: packDins(usedDins),
    })
  }

  async function reported(): Promise<void> {
    const d = driveStore.drive
    if (!d) return
    await markReported(d.id)
    await driveStore.reload()
  }

  /** The leader reads a joining phone's report; it must be of this drive and of a block handed out. */
  async function receiveReport(
    text: string,
  ): Promise<{ ok: true; report: CrewReport } | { ok: false; problem: ReportProblem }> {
    const code = await decodeCrewCode(text, 'report')
    if (!code.ok) return code
    const d = driveStore.drive
    if (!d || code.value.driveId !== d.id) return { ok: false, problem: 'other_drive' }
    const part = driveStore.crew?.handedOut.find((p) => p.deviceId === code.value.deviceId)
    if (!part) return { ok: false, problem: 'unknown_phone' }
    const { used, ...rest } = code.value
    // The block is the one handed out, whatever the code says.
    const report: CrewReport = { ...rest, ...part, usedDins: unpackDins(used) }
    await recordReport(d.id, me().deviceId, report)
    await driveStore.reload()
    return { ok: true, report }
  }

  /** A donor's hand-over code for the next phone of the bus. */
  async function donorCode(
    driveId: string,
    identity: Pick<DonorIdentity, 'idNumber' | 'name' | 'phone' | 'household'>,
  ): Promise<{ code: string; registrationId: string }> {
    const registrationId = newId()
    const code = await encodeCrewCode('donor', { driveId, registrationId, ...identity, phone: identity.phone ?? '' })
    return { code, registrationId }
  }

  async function readDonor(
    text: string,
    driveId: string,
  ): Promise<{ ok: true; donor: DonorHandoff } | { ok: false; problem: DonorCodeProblem }> {
    const code = await decodeCrewCode(text, 'donor')
    if (!code.ok) return code
    if (code.value.driveId !== driveId) return { ok: false, problem: 'other_drive' }
    return { ok: true, donor: code.value }
  }

  return {
    phoneCode,
    join,
    readPhone,
    suggestedCount,
    handOut,
    joinCode,
    ownReport,
    busReconciliation,
    reportCode,
    reported,
    receiveReport,
    donorCode,
    readDonor,
  }
})
