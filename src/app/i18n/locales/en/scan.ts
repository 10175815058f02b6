export default {
  title: 'Scan',
  hint: 'Point the camera at the barcode or QR code',
  starting: 'Opening the camera…',
  scanning: 'Looking for a code…',
  cancel: 'Cancel scan',
  torchOn: 'Turn torch on',
  torchOff: 'Turn torch off',
  retry: 'Try again',
  typeInstead: 'You can close the scanner and type it in instead.',
  problem: {
    unsupported: 'This browser cannot use the camera here (it needs HTTPS or the installed app).',
    denied: 'No permission to use the camera. Allow it for this app in the browser settings.',
    noCamera: 'No camera was found.',
    busy: 'Another app is using the camera. Close it and try again.',
    failed: 'The camera or the code reader failed to start.',
  },
}
