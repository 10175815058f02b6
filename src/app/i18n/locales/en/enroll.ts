export default {
  title: 'Blood Bus · Enroll this phone',
  intro:
    'First use: type the enrollment code from the station, or scan its QR code. This needs the network once; after that the phone works offline.',
  offline: 'There is no network right now. Enrollment needs it.',
  codeLabel: 'Enrollment code',
  codeHint: 'Made on the station’s admin page',
  codeRequired: 'Type the enrollment code',
  scan: 'Scan enrollment QR code',
  scanTitle: 'Scan enrollment QR code',
  submit: 'Enroll this phone',
  enrolling: 'Enrolling…',
}
