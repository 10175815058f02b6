// Progress toward targets: metric names, status, and the "what it takes" sentences.
export default {
  status: {
    ahead: 'Ahead',
    on_track: 'On track',
    behind: 'Behind',
  },
  met: 'Met',
  notMet: 'Not met',
  metric: {
    donations: 'Donations',
    whole_blood_donations: 'Whole-blood donations',
    whole_blood_units: 'Whole-blood units',
    apheresis_donations: 'Apheresis donations',
    apheresis_doses: 'Platelet doses',
    rate_400ml: '400 ml rate',
    rural_mobile_share: 'Rural-bus share',
    rural_donor_share: 'Rural donor share',
    repeat_donor_share: 'Repeat donor share',
    per_1000: 'Donations per 1,000 people',
    deferral_rate: 'Deferral rate',
    bus_trips: 'Bus trips',
    rhd_negative_donations: 'RhD-negative donations',
  },
  /** The donations a share counts, as they read in "312 more … this month". */
  kind: {
    rate_400ml: '400 ml donations',
    rural_mobile_share: 'rural-bus donations',
    rural_donor_share: 'donations by rural donors',
    repeat_donor_share: 'donations by repeat donors',
    deferral_rate: 'deferrals',
  },
  when: {
    month: 'this month',
    quarter: 'this quarter',
    year: 'this year',
    custom: 'by {end}',
  },
  takes: {
    notStarted: 'Starts on {start}; target {target}',
    endedMet: 'Period over: {actual} against a target of {target}, met',
    endedMissed: 'Period over: {actual} against a target of {target}, missed',
    noDonations: 'No donations yet in this period; target {target}',
    shareHolds: 'Enough {kind} already to hold {target} at the current volume',
    shareNeeded: '{needed} more {kind} {when} keep the share at {target}',
    shareOutOfReach:
      '{needed} more {kind} would be needed {when}, more than the {remaining} donations expected in all: collect more on rural buses',
    shareAllowed: 'At most {allowed} more {kind} {when} keep the rate at or under {target}',
    shareOverCap: 'Already over {target} at the current volume',
    countMet: 'Target reached: {actual} of {target}',
    countNeeded:
      '{remaining} to go: {perDay} a day for the last day reach {target} | {remaining} to go: {perDay} a day for the {days} days left reach {target}',
    rateNeeded: '{remaining} per 1,000 people to go to reach {target}',
    rateNeededDonations:
      '{remaining} per 1,000 to go, about {donations} donations: {perDay} a day for the last day reach {target} | {remaining} per 1,000 to go, about {donations} donations: {perDay} a day for the {days} days left reach {target}',
    countOverCap: 'Over the cap of {target} by {over}',
    countHeadroom: '{remaining} left under the cap of {target}',
  },
  bar: {
    actual: 'Actual',
    target: 'Target',
    pace: 'Expected by now',
    label: '{metric}: {actual} of a target of {target}, {status}',
  },
}
