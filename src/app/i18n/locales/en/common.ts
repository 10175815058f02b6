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
}
