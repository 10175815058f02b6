// Station pages on a phone (issue 15): paged lists with search, named phones, open enrollment codes.
export default {
  pager: {
    search: 'Search',
    searchHint: 'Part of the name or county',
    staffHint: 'Part of the name',
    range: '{from}–{to} of {total}',
    none: 'Nothing matches.',
    previous: 'Previous',
    next: 'Next',
  },
  phones: {
    deviceName: 'Phone name',
    deviceNameHint: 'e.g. “Bus 3 phone A”: the list shows the phone by this name',
    pending: 'Waiting',
    pendingValue: '{n} ({when})',
    unknown: 'unknown',
    rename: 'Rename',
    renamePrompt: 'New name',
    renamed: 'Renamed to {name}',
    openCodes: 'Unused enrollment codes',
    openCodesNone: 'No unused enrollment codes.',
    codeFor: 'For “{name}”',
    codeUnnamed: 'Unnamed',
    codeExpires: 'Valid until {when}',
    withdraw: 'Withdraw',
    confirmWithdraw: 'Withdraw this enrollment code? No phone can enroll with it.',
    withdrawn: 'The enrollment code was withdrawn.',
  },
  report: {
    latestWithData: 'Opened on the latest year with data: {year}.',
    noData: 'No records in {year}.',
  },
}
