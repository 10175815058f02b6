// Site and crew pickers, the unlock list's search, and the PIN lockout.
export default {
  search: {
    placeholder: 'Chinese, pinyin or initials',
    none: 'Nothing found for “{q}”',
    more: '{n} more: type more to narrow',
    clear: 'Clear search',
  },
  site: {
    search: 'Site',
    forChannel: 'Only sites for “{channel}”',
    chosen: 'Chosen: {name}',
    change: 'Change site',
    recent: 'Recent',
  },
  crew: {
    search: 'Find staff on board',
    chosen: '{n} chosen',
    remembered: 'Crew and bus filled in from the last drive; change them if needed.',
  },
  signOff: {
    wait: 'Too many wrong PINs: try again in a few seconds',
    locked: '{name} is locked out: a bus leader can unlock on the lock screen, or the station can set a new PIN',
  },
  unlock: {
    search: 'Find your name',
    crew: 'This drive’s crew',
    lastCrew: 'Last drive’s crew',
    others: 'Everyone else',
    lockedBadge: 'Locked',
    wrongPin: 'Wrong PIN: {n} tries left',
    wait: 'Too many wrong PINs: try again in {s} s',
    locked: '{name} typed a wrong PIN {n} times in a row and is locked out.',
    lockedHelp:
      'A bus leader can unlock with their own PIN, or the station can set a new PIN (it arrives with the next sync).',
    askLeader: 'Ask a bus leader to unlock',
    chooseLeader: 'Choose the bus leader',
    leaderPinTitle: '{leader}, type your PIN to unlock {name}',
    leaderUnlock: 'Unlock',
    unlocked: 'Unlocked by {leader}. {name}, type your PIN again.',
    noLeader: 'No bus leader on this phone’s roster can unlock. Ask the station to set a new PIN.',
    not_leader: 'This person cannot unlock others',
    back: 'Back',
  },
}
