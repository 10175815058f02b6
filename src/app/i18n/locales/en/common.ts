export default {
  appName: 'Blood Bus',
  language: 'Language',
  save: 'Save',
  saved: 'Saved',
  cancel: 'Cancel',
  back: 'Back',
  next: 'Next',
  close: 'Close',
  confirm: 'Confirm',
  required: 'Required',
  notFound: {
    title: 'Page not found',
    body: 'There is no page at {path}: the address may be mistyped or out of date.',
    toDrives: 'Back to the drives',
    toStation: 'Back to the station dashboard',
  },
}
