// The phone's progress screen: this drive against its targets, the station this month and this
// year and its quarter, period and site targets, as of the last sync plus what this phone has not
// synced yet.
export default {
  title: 'Progress',
  open: 'See progress',
  loading: 'Working out progress…',
  failed: 'Progress could not be worked out: {message}',
  asOf: 'Station figures as of last sync {time}',
  neverSynced: 'This phone has not synced yet; station figures come with the first sync.',
  refused: '{n} records were refused by the station and are not counted. Resolve them on the Sync screen.',
  toSync: 'Go to Sync',
  drive: {
    heading: 'My drive today',
    none: 'No drive on this phone today.',
    open: 'Open',
    closed: 'Closed',
    donations: 'Donations',
    units: 'Whole-blood units',
    deferrals: 'Deferrals',
    // Same words and count as the sync badge (field/waiting.ts).
    notSent: '{n} of this drive waiting to send',
    needAttention: '{n} of this drive need attention',
    allSent: 'Every record of this drive is sent',
    targets: 'Targets of this drive',
    noTargets: 'No target set for this drive.',
    toGo: '{n} to go',
    met: 'Met',
    notMet: 'Not met',
    contributes: 'Targets this drive counts toward',
    addsCount: 'this drive: {value}',
    addsShare: 'this drive: {part} of {whole}',
    goTo: 'Open this drive',
  },
  station: {
    month: 'Station this month',
    year: 'Station this year',
    // Records whose figures are added here; not the sync badge's queue (a name correction waits but adds nothing).
    unsynced: "incl. this phone's records not yet in the station's totals: {n}",
    allIn: 'Everything from this phone is included',
    noTotals: 'Station figures for this period come with the next sync; below is only what this phone has not synced.',
    noTargets: 'No station, channel or team target for this period.',
    scopeLine: '{scope} · {period}',
  },
  // Quarter, custom-period and site targets (issue 15): the station's figure of each plus this phone's.
  others: {
    heading: 'Quarter, period and site targets',
    stationOnly: 'The station works this figure out: see the station dashboard.',
    noTotals: "The station's figure for this target comes with the next sync.",
    noPopulation: "The station has not entered this year's population.",
  },
}
